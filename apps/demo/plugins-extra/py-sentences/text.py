# The plugin's own module, imported relatively (the folder is the plugin's package).
import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def split_sentences(text):
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if sentence.strip()]


def _syllables(word):
    groups = len(_VOWEL_GROUPS.findall(word.lower()))
    if word.lower().endswith("e") and groups > 1:
        groups -= 1
    return max(1, groups)


def describe_sentence(sentence):
    words = _WORD.findall(sentence)
    syllables = sum(_syllables(word) for word in words)
    count = max(1, len(words))
    # Flesch-Kincaid grade level of the sentence on its own.
    grade = 0.39 * count + 11.8 * syllables / count - 15.59
    return {
        "words": len(words),
        "longest_word": max(words, key=len) if words else "",
        "grade": round(max(0.0, grade), 1),
    }
