# A Python plugin of the demo, beside the JavaScript ones: the same folder format (package.json
# with "runtime": "python"), run by a Python worker pool. It streams one line per sentence,
# reports progress, and stops at once when its job is cancelled (ctx.sleep wakes on a cancel).
from plugwork_worker import define_plugin

from .text import describe_sentence, split_sentences


def read_params(params):
    text = params.get("text")
    if not isinstance(text, str):
        raise TypeError('py-sentences needs a "text" string param')
    delay_ms = params.get("delay_ms", 0)
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, int) or not 0 <= delay_ms <= 10_000:
        raise ValueError('"delay_ms" must be a whole number of milliseconds between 0 and 10000')
    unknown = sorted(set(params) - {"text", "delay_ms"})
    if unknown:
        raise ValueError(f"py-sentences does not take {', '.join(repr(key) for key in unknown)}")
    return split_sentences(text), delay_ms / 1000


def execute(params, ctx):
    sentences, _ = read_params(params)
    described = [describe_sentence(sentence) for sentence in sentences]
    ctx.report_progress(1.0, f"{len(sentences)} sentences")
    return {
        "sentences": len(sentences),
        "words": sum(each["words"] for each in described),
        "details": described,
    }


def stream(params, ctx):
    sentences, delay = read_params(params)
    # print() goes to the host's log, labelled with worker and plugin (the page's Console).
    print(f"py-sentences: {len(sentences)} sentences, {round(delay * 1000)} ms apart")
    for index, sentence in enumerate(sentences, 1):
        if delay > 0 and ctx.sleep(delay):
            print(f"py-sentences: cancelled after {index - 1} of {len(sentences)} sentences")
            return
        if ctx.cancelled:
            return
        about = describe_sentence(sentence)
        yield (
            f"{index}. {about['words']} words, longest \"{about['longest_word']}\", "
            f"grade {about['grade']}: {sentence}\n"
        )
        ctx.report_progress(index / len(sentences), f"sentence {index} of {len(sentences)}")


plugin = define_plugin(
    name="py-sentences",
    description="Splits a text into sentences and streams a line about each, in Python.",
    execute=execute,
    stream=stream,
)
