#!/usr/bin/env bash
# Rebuilds the embedded font: Nanum Gothic (fonts-nanum, SIL OFL 1.1) cut down
# to Latin, punctuation, Hangul Jamo and all 11,172 Hangul syllables, without
# hinting, renamed (the OFL reserves the Nanum names for unmodified fonts),
# with CFF outlines instead of TrueType ones, and gzip-compressed. Needs the
# Debian packages fonts-nanum and python3-fonttools.
#
# Why CFF: the font parser Fyne uses (go-text/typesetting) decodes every
# TrueType glyph into Go structs when a font loads, 5.9 MB of heap per
# style for this font; CFF glyphs stay encoded until drawn (2.5 MB). Most
# Hangul syllables are TrueType composites of shared jamo shapes: each
# shared shape becomes one CFF subroutine, so the file stays small. The
# quadratic curves turn into cubic ones exactly; coordinates round to font
# units (1/1000 em).
set -euo pipefail
cd "$(dirname "$0")"
/usr/bin/python3 - "U+0020-007E,U+00A0-017F,U+2000-206F,U+20A9,U+20AC,U+2190-2193,U+2713,U+3000-303F,U+1100-11FF,U+3130-318F,U+AC00-D7A3,U+FF01-FF5E" <<'PY'
import sys
from fontTools import subset
from fontTools.cffLib import SubrsIndex
from fontTools.cffLib.specializer import commandsToProgram, specializeCommands
from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont


def outline(glyf, name):
    """The contours of a simple glyph in absolute integer font units, as
    segments ("M", p), ("L", p), ("C", c1, c2, p)."""
    pen = RecordingPen()
    glyf[name].draw(pen, glyf)
    r = lambda p: (round(p[0]), round(p[1]))
    out = []
    for op, args in pen.value:
        if op == "moveTo":
            out.append(("M", r(args[0])))
        elif op == "lineTo":
            out.append(("L", r(args[0])))
        elif op == "qCurveTo":
            if args[-1] is None:
                raise ValueError("%s: contour without on-curve points" % name)
            # TrueType implies an on-curve point between two off-curve ones;
            # each quadratic piece is exactly one cubic.
            a, offs = out[-1][-1], args[:-1]
            for i, q in enumerate(offs):
                end = args[-1] if i == len(offs) - 1 else ((q[0] + offs[i + 1][0]) / 2, (q[1] + offs[i + 1][1]) / 2)
                c1 = (a[0] + 2 / 3 * (q[0] - a[0]), a[1] + 2 / 3 * (q[1] - a[1]))
                c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
                out.append(("C", r(c1), r(c2), r(end)))
                a = end
        elif op not in ("closePath", "endPath"):
            raise ValueError("%s: unexpected %s" % (name, op))
    return out


def commands(segs, cur, dx=0, dy=0):
    """Relative Type 2 commands for segs shifted by (dx, dy), drawn from the
    absolute point cur; returns them and the point where they end."""
    ops = {"M": "rmoveto", "L": "rlineto", "C": "rrcurveto"}
    out = []
    for seg in segs:
        args = []
        for x, y in seg[1:]:
            args += [x + dx - cur[0], y + dy - cur[1]]
            cur = (x + dx, y + dy)
        out.append((ops[seg[0]], args))
    return out, cur


def program(cmds):
    return commandsToProgram(specializeCommands(cmds)) if cmds else []


def to_cff(f, ps_name, full_name):
    glyf, hmtx, order = f["glyf"], f["hmtx"], f.getGlyphOrder()

    def parts(name, ox=0, oy=0):
        """A glyph as simple glyphs and their offsets (None: a component is
        scaled or rotated, so the glyph is drawn out in full)."""
        g = glyf[name]
        if not g.isComposite():
            return [(name, ox, oy)]
        out = []
        for c in g.components:
            if hasattr(c, "transform"):
                return None
            sub = parts(c.glyphName, ox + c.x, oy + c.y)
            if sub is None:
                return None
            out += sub
        return out

    plan, uses = {}, {}
    for name in order:
        plan[name] = parts(name) if glyf[name].isComposite() else None
        for c, _, _ in plan[name] or []:
            uses[c] = uses.get(c, 0) + 1
    shared = sorted(c for c, n in uses.items() if n > 1 and glyf[c].numberOfContours > 0)
    bias = 107 if len(shared) < 1240 else 1131 if len(shared) < 33900 else 32768
    subr = {}  # simple glyph -> (index, first point, last point)
    bodies = []
    for i, c in enumerate(shared):
        segs = outline(glyf, c)
        cmds, last = commands(segs[1:], segs[0][1])  # the caller moves to the first point
        bodies.append(program(cmds) + ["return"])
        subr[c] = (i, segs[0][1], last)

    charstrings = {}
    for name in order:
        prog, cur, cmds = [hmtx[name][0]], (0, 0), []
        for c, dx, dy in plan[name] or ([(name, 0, 0)] if glyf[name].numberOfContours > 0 else []):
            if c in subr:
                i, first, last = subr[c]
                cmds.append(("rmoveto", [first[0] + dx - cur[0], first[1] + dy - cur[1]]))
                prog += program(cmds) + [i - bias, "callsubr"]
                cmds, cur = [], (last[0] + dx, last[1] + dy)
            else:
                more, cur = commands(outline(glyf, c), cur, dx, dy)
                cmds += more
        charstrings[name] = T2CharString(program=prog + program(cmds) + ["endchar"])

    for t in ("glyf", "loca", "fpgm", "prep", "cvt ", "gasp"):
        if t in f:
            del f[t]
    fb = FontBuilder(font=f)
    fb.isTTF = False
    fb.setupCFF(ps_name, {"FullName": full_name, "FamilyName": "Worktalk Gothic"}, charstrings,
                {"defaultWidthX": 0, "nominalWidthX": 0})
    top = f["CFF "].cff.topDictIndex[0]
    top.Private.Subrs = SubrsIndex()
    for b in bodies:
        top.Private.Subrs.append(T2CharString(program=b, private=top.Private, globalSubrs=top.GlobalSubrs))
    f["maxp"].tableVersion = 0x00005000
    f.sfntVersion = "OTTO"


for src, style in (("NanumGothic", "Regular"), ("NanumGothicBold", "Bold")):
    opts = subset.Options()
    opts.hinting = False
    opts.desubroutinize = True
    opts.layout_features = ["*"]
    opts.drop_tables += ["DSIG", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    f = TTFont("/usr/share/fonts/truetype/nanum/%s.ttf" % src)
    s = subset.Subsetter(opts)
    s.populate(unicodes=subset.parse_unicodes(sys.argv[1]))
    s.subset(f)
    fam, ps = "Worktalk Gothic", "WorktalkGothic-" + style
    full = fam + ("" if style == "Regular" else " Bold")
    for rec in f["name"].names:
        if rec.nameID in (1, 16):
            rec.string = fam
        elif rec.nameID == 4:
            rec.string = full
        elif rec.nameID == 6:
            rec.string = ps
        elif rec.nameID == 3:
            rec.string = ps + ";subset"
    to_cff(f, ps, full)
    f.save("WorktalkGothic-%s.otf" % style)
PY
for f in WorktalkGothic-*.otf; do gzip -9 -n -c "$f" >"$f.gz" && rm "$f"; done
