"""Requests are checked as the TypeScript schemas check them."""

import unittest

from support import HERE  # noqa: F401

from plugwork_worker.parse import ProtocolError, parse_request


class ParseRequest(unittest.TestCase):
    def rejected(self, message, text):
        with self.assertRaises(ProtocolError) as caught:
            parse_request(message)
        self.assertEqual(str(caught.exception), text)

    def test_valid_requests_pass_unchanged(self):
        for message in (
            {"type": "execute", "job_id": "test-123", "plugin_name": "test_plugin", "param1": "value1"},
            {"type": "init", "adapter": {"module": "m"}, "token": "t", "stream_window": 10},
            {"type": "reload", "plugin_name": "p", "config": None},
            {"type": "stream_ack", "job_id": "j", "consumed": 5},
            {"type": "stop"},
        ):
            self.assertIs(parse_request(message), message)

    def test_what_is_refused(self):
        self.rejected([], "Invalid request: expected a JSON object, received an array")
        self.rejected({}, 'Invalid request: field "type" is missing')
        self.rejected(
            {"type": "launch"},
            'Invalid request: field "type" is "launch", which is not a request type of the plugwork protocol',
        )
        self.rejected({"type": "execute", "plugin_name": "p"}, 'Invalid "execute" request: field "job_id" is required')
        self.rejected(
            {"type": "execute", "job_id": "", "plugin_name": "p"},
            'Invalid "execute" request: field "job_id" must be a non-empty string',
        )
        self.rejected(
            {"type": "stream_ack", "job_id": "j", "consumed": True},
            'Invalid "stream_ack" request: field "consumed" expected an integer, received boolean',
        )
        self.rejected(
            {"type": "init", "adapter": {"export": "x"}},
            'Invalid "init" request: field "adapter" field "module" is required',
        )
        self.rejected(
            {"type": "init", "plugin_configs": {"a": 1}},
            'Invalid "init" request: field "plugin_configs" entry "a": expected an object, received number',
        )


if __name__ == "__main__":
    unittest.main()
