"""Document themes: re-exported from consult.themes.theme, where they are read and resolved
(data only, so issuing and `consult check` can use them without the renderer)."""

from consult.themes.theme import (
    MM,
    PACKAGED_FONTS,
    PACKAGED_THEME,
    PAGE_SIZES,
    Colours,
    Frozen,
    Theme,
    freeze,
    load_frozen,
    load_theme,
)

__all__ = ["MM", "PACKAGED_FONTS", "PACKAGED_THEME", "PAGE_SIZES", "Colours", "Frozen", "Theme", "freeze",
           "load_frozen", "load_theme"]
