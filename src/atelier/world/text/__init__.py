"""The fashion world's text: captions, try-on and edit instructions, modification texts.

Every text is grounded in the garment's attributes: each word it says about colour, pattern or
shape is true of the garment, and the attributes that matter are always said. The wording
varies (templates, synonyms, order) through a `random.Random` passed in, so a text is a pure
function of the seed that drew it.

Pattern geometry follows `atelier.world.textures`: `pattern_scale` sets the pattern period,
`pattern_angle` 0° paints vertical stripes and a gradient or colour block that changes from top
to bottom (those two are painted turned by 90°).

A coat's `closure` is how the coat is worn, not a property of the product, so captions and
modification texts never mention it; try-on and edit instructions do.
"""

from __future__ import annotations

from atelier.world.text.captions import caption, captions
from atelier.world.text.corpus import text_corpus_examples
from atelier.world.text.differences import edit_instruction, modification_text
from atelier.world.text.instructions import describe_person, tryon_instruction
from atelier.world.text.words import CAPTION_STYLES, ORIENTATION_WORDS, SCALE_WORDS, orientation_word, scale_word

__all__ = [
    "CAPTION_STYLES",
    "ORIENTATION_WORDS",
    "SCALE_WORDS",
    "orientation_word",
    "scale_word",
    "caption",
    "captions",
    "describe_person",
    "tryon_instruction",
    "edit_instruction",
    "modification_text",
    "text_corpus_examples",
]
