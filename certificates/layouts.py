"""Certificate layouts as data: a JSON document (positions in millimetres from the page's
top-left corner, fonts, sizes, colours, which fields appear, background, logos and up to three
signatories), validated with a colander schema before it is ever stored or drawn.

`certificates/layouts/default.json` is the layout used when a training has chosen none.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import colander
from PIL import Image, UnidentifiedImageError
from pyramid.threadlocal import get_current_request

from trainings.i18n import _

DEFAULT_LAYOUT_PATH = Path(__file__).parent / "layouts" / "default.json"
FONTS = ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSerif-Bold")
FIELDS = ("programme", "heading", "intro", "name", "statement", "training", "dates_place", "hours",
          "sessions", "serial", "verification")
PAGE_MM = {"A4": (210.0, 297.0), "letter": (215.9, 279.4)}
MAX_SIGNATORIES = 3
ASSET_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_ASSET_BYTES = 2 * 1024 * 1024
MAX_ASSET_PIXELS = 4000 * 4000

COLOUR = colander.Regex(r"^#[0-9A-Fa-f]{6}$", msg=_("A colour is written #RRGGBB, e.g. #1F4E79."))
millimetres = colander.Range(0, 500)


def _strict(schema: colander.MappingSchema) -> colander.MappingSchema:
    schema.typ = colander.Mapping(unknown="raise")
    return schema


def _node(typ, **kwargs):
    return colander.SchemaNode(typ, **kwargs)


def _asset_name(**kwargs):
    return _node(colander.String(allow_empty=False), missing=None, validator=colander.Length(1, 120), **kwargs)


class PageSchema(colander.MappingSchema):
    size = _node(colander.String(), validator=colander.OneOf(tuple(PAGE_MM)), missing="A4")
    orientation = _node(colander.String(), validator=colander.OneOf(("landscape", "portrait")), missing="landscape")


class BackgroundSchema(colander.MappingSchema):
    colour = _node(colander.String(), validator=COLOUR, missing="#FFFFFF")
    image = _asset_name()


class FrameSchema(colander.MappingSchema):
    show = _node(colander.Boolean(), missing=True)
    colour = _node(colander.String(), validator=COLOUR, missing="#1F4E79")
    width = _node(colander.Float(), validator=colander.Range(0, 20), missing=2)
    inset = _node(colander.Float(), validator=millimetres, missing=8)
    inner_colour = _node(colander.String(), validator=COLOUR, missing="#B8962E")
    inner_width = _node(colander.Float(), validator=colander.Range(0, 20), missing=0)
    inner_inset = _node(colander.Float(), validator=millimetres, missing=11)
    ornaments = _node(colander.Boolean(), missing=False)  # diamonds and flourishes in the corners


class EmblemSchema(colander.MappingSchema):
    show = _node(colander.Boolean(), missing=True)
    x = _node(colander.Float(), validator=millimetres)
    y = _node(colander.Float(), validator=millimetres)
    size = _node(colander.Float(), validator=colander.Range(2, 200))
    colour = _node(colander.String(), validator=COLOUR, missing="#1F4E79")
    accent = _node(colander.String(), validator=COLOUR, missing="#B8962E")


class DividerSchema(colander.MappingSchema):
    """A thin centred rule with a diamond in the middle."""

    y = _node(colander.Float(), validator=millimetres)
    width = _node(colander.Float(), validator=colander.Range(10, 280), missing=70)
    colour = _node(colander.String(), validator=COLOUR, missing="#B8962E")


class DividersSchema(colander.SequenceSchema):
    divider = _strict(DividerSchema())


class LogoSchema(colander.MappingSchema):
    asset = _node(colander.String(), validator=colander.Length(1, 120))
    x = _node(colander.Float(), validator=millimetres)
    y = _node(colander.Float(), validator=millimetres)
    width = _node(colander.Float(), validator=colander.Range(1, 300))
    height = _node(colander.Float(), validator=colander.Range(1, 300))


class LogosSchema(colander.SequenceSchema):
    logo = _strict(LogoSchema())


class FieldSchema(colander.MappingSchema):
    show = _node(colander.Boolean(), missing=True)
    x = _node(colander.Float(), validator=millimetres)
    y = _node(colander.Float(), validator=millimetres)
    font = _node(colander.String(), validator=colander.OneOf(FONTS), missing="DejaVuSans")
    size = _node(colander.Float(), validator=colander.Range(4, 96), missing=12)
    colour = _node(colander.String(), validator=COLOUR, missing="#222222")
    align = _node(colander.String(), validator=colander.OneOf(("left", "center", "right")), missing="center")
    max_width = _node(colander.Float(), validator=colander.Range(10, 500), missing=240)


# One optional child per field; a field left out is not drawn.
FieldsSchema = type("FieldsSchema", (colander.MappingSchema,),
                    {name: _strict(FieldSchema(missing=colander.drop)) for name in FIELDS})


class QRSchema(colander.MappingSchema):
    show = _node(colander.Boolean(), missing=True)
    x = _node(colander.Float(), validator=millimetres)
    y = _node(colander.Float(), validator=millimetres)
    size = _node(colander.Float(), validator=colander.Range(15, 120))


class SignatorySchema(colander.MappingSchema):
    name = _node(colander.String(), validator=colander.Length(1, 120))
    position = _node(colander.String(), validator=colander.Length(0, 160), missing="")
    signature = _asset_name()


class SignatoryList(colander.SequenceSchema):
    person = _strict(SignatorySchema())


class SignatoriesSchema(colander.MappingSchema):
    y = _node(colander.Float(), validator=millimetres)
    width = _node(colander.Float(), validator=colander.Range(20, 150), missing=62)
    font = _node(colander.String(), validator=colander.OneOf(FONTS), missing="DejaVuSans")
    size = _node(colander.Float(), validator=colander.Range(4, 30), missing=9)
    colour = _node(colander.String(), validator=COLOUR, missing="#222222")
    # How far the text above moves down when there is nobody to sign (their band stays free).
    shift_without = _node(colander.Float(), validator=colander.Range(0, 60), missing=0)
    people = SignatoryList(missing=(), validator=colander.Length(
        max=MAX_SIGNATORIES, max_err=_("At most three signatories.")))


class HeadingTextsSchema(colander.MappingSchema):
    """The title printed instead of "Certificate of attendance" etc., per language; empty or
    absent, each certificate keeps the title of its kind."""

    es = _node(colander.String(), validator=colander.Length(0, 120), missing="")
    en = _node(colander.String(), validator=colander.Length(0, 120), missing="")
    fr = _node(colander.String(), validator=colander.Length(0, 120), missing="")


class TextsSchema(colander.MappingSchema):
    heading = _strict(HeadingTextsSchema(missing={}))


class LayoutSchema(colander.MappingSchema):
    page = _strict(PageSchema(missing={}))
    background = _strict(BackgroundSchema(missing={}))
    frame = _strict(FrameSchema(missing={"show": False}))
    emblem = _strict(EmblemSchema(missing={"show": False, "x": 0, "y": 0, "size": 10}))
    logos = LogosSchema(missing=(), validator=colander.Length(max=6))
    dividers = DividersSchema(missing=(), validator=colander.Length(max=6))
    fields = _strict(FieldsSchema())
    qr = _strict(QRSchema())
    signatories = _strict(SignatoriesSchema(missing={"y": 180, "people": []}))
    texts = _strict(TextsSchema(missing={}))


LAYOUT_SCHEMA = _strict(LayoutSchema())


class InvalidLayout(ValueError):
    """The layout file is not valid; `errors` maps where (e.g. `fields.name.size`) to why."""

    def __init__(self, errors: dict[str, object], invalid: colander.Invalid | None = None):
        super().__init__(errors)
        self.errors = errors
        self.invalid = invalid  # colander's own, whose messages it translates itself


def parse_layout(text: str | bytes, asset_names=None) -> dict:
    """The validated, completed definition of a layout file, or InvalidLayout. When
    `asset_names` is given, every image the layout refers to must be among them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        # The parser's own wording is English: say where, in the reader's language.
        raise InvalidLayout({"": _("This is not a JSON document: the error is at line ${line}, column ${column}.",
                                   mapping={"line": error.lineno, "column": error.colno})}) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidLayout({"": _("This is not a JSON document: the file is not UTF-8 text.")}) from error
    if not isinstance(data, dict):
        raise InvalidLayout({"": _("The layout must be a JSON object.")})
    try:
        definition = LAYOUT_SCHEMA.deserialize(data)
    except colander.Invalid as invalid:
        raise InvalidLayout(invalid.asdict(), invalid) from invalid
    if asset_names is not None:
        missing = sorted(set(referenced_assets(definition)) - set(asset_names))
        if missing:
            raise InvalidLayout({"assets": _("These images are not uploaded yet: ${names}",
                                             mapping={"names": ", ".join(missing)})})
    return definition


def describe(invalid: InvalidLayout, translate=None) -> str:
    """One readable message: each place in the file and what is wrong there."""
    if translate is None:
        request = get_current_request()
        translate = request.localizer.translate if request is not None else str
    errors = invalid.invalid.asdict(translate=translate) if invalid.invalid is not None else invalid.errors
    return "; ".join(f"{where}: {translate(message)}" if where else translate(message)
                     for where, message in errors.items())


def referenced_assets(definition: dict) -> list[str]:
    names = [logo["asset"] for logo in definition.get("logos", ())]
    if definition["background"].get("image"):
        names.append(definition["background"]["image"])
    names += [person["signature"] for person in definition["signatories"]["people"] if person.get("signature")]
    return names


def default_definition_text() -> str:
    return DEFAULT_LAYOUT_PATH.read_text(encoding="utf-8")


def check_image(data: bytes) -> str:
    """The content type of an uploaded image (PNG or JPEG, size-limited), or ValueError."""
    if not data:
        raise ValueError(_("The file is empty."))
    if len(data) > MAX_ASSET_BYTES:
        raise ValueError(_("Images may be at most 2 MB."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(_("This file is not a PNG or JPEG image.")) from error
    if image_format not in ASSET_TYPES:
        raise ValueError(_("This file is not a PNG or JPEG image."))
    if width * height > MAX_ASSET_PIXELS:
        raise ValueError(_("The image is too large (at most 4000 × 4000 pixels)."))
    return ASSET_TYPES[image_format]


@dataclass
class Layout:
    """A validated definition and its images, ready to draw (built once, reused for every page)."""

    definition: dict
    images: dict[str, bytes] = field(default_factory=dict)
    key: object = None  # what identifies this version, for caches


def default_layout() -> Layout:
    return Layout(parse_layout(default_definition_text()), {}, key="default")
