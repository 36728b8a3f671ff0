"""Canvases as data: the Ko-Kreation canvas and cities' own, with texts in de and en.

Usage:
    canvas = load_canvas("ko-kreation")
    translate(canvas.key("field", "A1", "prompt"), "en", canvas)
    canvas_to_json(canvas)  # what GET /api/canvases/{id} serves
"""

from .board import NOTE_KINDS as NOTE_KINDS
from .board import misplaced_kind as misplaced_kind
from .i18n import SUPPORTED_LOCALES as SUPPORTED_LOCALES
from .i18n import missing_keys as missing_keys
from .i18n import translate as translate
from .issues import CanvasError as CanvasError
from .issues import Issue as Issue
from .loader import CanvasNotFoundError as CanvasNotFoundError
from .loader import clear_cache as clear_cache
from .loader import list_canvases as list_canvases
from .loader import load_canvas as load_canvas
from .loader import load_canvas_file as load_canvas_file
from .migrations import MIGRATIONS as MIGRATIONS
from .migrations import Migration as Migration
from .migrations import MigrationError as MigrationError
from .migrations import migrate_board as migrate_board
from .model import AgendaItem as AgendaItem
from .model import AgendaKind as AgendaKind
from .model import Axis as Axis
from .model import AxisTick as AxisTick
from .model import Canvas as Canvas
from .model import Column as Column
from .model import Field as Field
from .model import FieldKind as FieldKind
from .model import FormatCard as FormatCard
from .model import Grid as Grid
from .model import Group as Group
from .model import Layout as Layout
from .model import NoteColor as NoteColor
from .model import Part as Part
from .resolve import canvas_to_json as canvas_to_json
from .resolve import render_ts_module as render_ts_module
from .resolve import summary_to_json as summary_to_json
from .resolve import write_ts_module as write_ts_module
from .validate import validate as validate
from .validate import validate_board as validate_board
