# A Python plugin: a folder with a package.json whose "plugwork" field says "runtime": "python".
from plugwork_worker import define_plugin


def setup(config):
    return {"upper": config.get("upper", False)}  # once per load; becomes ctx.state


def execute(params, ctx):
    return {"words": len(params["text"].split())}


def stream(params, ctx):  # a generator makes the plugin a streaming plugin
    words = params["text"].split()
    for index, word in enumerate(words, 1):
        if ctx.cancelled:  # cancellation is cooperative first
            return
        ctx.report_progress(index / len(words), word)
        yield (" " if index > 1 else "") + (word.upper() if ctx.state["upper"] else word)


plugin = define_plugin(name="word-stream", setup=setup, execute=execute, stream=stream)
