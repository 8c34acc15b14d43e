"""``slicer.i18n``: ``tr`` and ``translate`` return the English text (Slicer's behaviour with no translation)."""


def tr(text: str) -> str:
    return text


def translate(context: str, text: str) -> str:
    return text
