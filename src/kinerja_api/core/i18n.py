"""Bilingual messages: Indonesian by default, English when the client prefers it."""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

Language = Literal["id", "en"]
DEFAULT_LANGUAGE: Language = "id"
current_language: ContextVar[Language] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@dataclass(frozen=True, slots=True)
class Msg:
    """A message in both languages; `{name}` placeholders are filled by `render`."""

    id: str
    en: str

    def render(self, language: Language | None = None, **params: object) -> str:
        template = self.en if (language or current_language.get()) == "en" else self.id
        return template.format(**params) if params else template


def negotiate_language(accept_language: str | None) -> Language:
    """Pick `en` or `id` from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, Language] | None = None
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        language: Language | None = "en" if primary == "en" else "id" if primary == "id" else None
        if language and quality > 0 and (best is None or quality > best[0]):
            best = (quality, language)
    return best[1] if best else DEFAULT_LANGUAGE
