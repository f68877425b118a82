"""The channel's fast paths read and write exactly what the json module would."""

import json
import unittest

from plugwork_worker.channel import Channel, decode_line, encode_message

LINES = [
    b'{"type":"execute","job_id":"j1","plugin_name":"noop","token":"t"}',
    b' {"a": 1} \r',
    '{"é":"ü","emoji":"\U0001F600"}'.encode(),
    b'{"a":1} x',
    b'{"a":1}{"b":2}',
    b'{"a":',
    b"[1,2]",
    b'"text"',
    b"\xff\xfe",
    b'\xef\xbb\xbf{"bom":true}',
    b"NaN",
    b'{"n":1e400}',
    b'{"deep":' * 50 + b"1" + b"}" * 50,
]


def outcome(read, line):
    try:
        return ("value", read(line))
    except ValueError as error:
        return ("error", type(error).__name__, str(error))


class DecodeLineTest(unittest.TestCase):
    def test_every_line_reads_as_json_loads_reads_it(self):
        for line in LINES:
            with self.subTest(line=line[:40]):
                got, want = outcome(decode_line, line), outcome(json.loads, line)
                # NaN is not equal to itself: compare what the values print as.
                self.assertEqual(repr(got), repr(want))


class EncodeCheckedTest(unittest.TestCase):
    def test_a_result_line_is_the_line_encode_would_write(self):
        channel = Channel(sock=None)
        channel.token = "s3cret"
        for data in ({}, {"text": "é\u2028", "n": [1, 2.5, None, True], "d": {"k": -3}}, {"s": "\ud800"}):
            message = {"type": "result", "job_id": "j", "status": "success", "data": data}
            with self.subTest(data=data):
                self.assertEqual(channel.encode_checked(dict(message)), channel.encode(dict(message), None))
        self.assertEqual(encode_message({"a": "\ud800"}, None), b'{"a":"\\ud800"}\n')

    def test_a_success_line_is_the_line_encode_would_write(self):
        datas = ({}, {"text": "é\u2028", "n": [1, 2.5, None, True], "d": {"k": -3}}, {"s": "\ud800"})
        for token in (None, "s3cret", 'quo"te'):
            channel = Channel(sock=None)
            channel.token = token
            for job_id in ("j", "jöb-\u2028", 'a"b\\', "\udc80"):
                for data in datas:
                    message = {"type": "result", "job_id": job_id, "status": "success", "data": data}
                    with self.subTest(token=token, job_id=job_id, data=data):
                        self.assertEqual(
                            channel.encode_result(job_id, data), channel.encode(dict(message), None)
                        )

    def test_what_json_cannot_carry_still_raises(self):
        channel = Channel(sock=None)
        with self.assertRaises(ValueError):
            channel.encode_checked({"data": {"x": float("nan")}})
        with self.assertRaisesRegex(TypeError, "not JSON serializable"):
            channel.encode_checked({"data": {"x": object()}})
        with self.assertRaises(ValueError):
            channel.encode_result("j", {"x": float("inf")})
        with self.assertRaisesRegex(TypeError, "not JSON serializable"):
            channel.encode_result("j", {"x": object()})


if __name__ == "__main__":
    unittest.main()
