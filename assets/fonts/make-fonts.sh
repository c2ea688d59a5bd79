#!/usr/bin/env bash
# Rebuilds the embedded font: Nanum Gothic (fonts-nanum, SIL OFL 1.1) cut down
# to Latin, punctuation, Hangul Jamo and all 11,172 Hangul syllables, without
# hinting, renamed (the OFL reserves the Nanum names for unmodified fonts) and
# gzip-compressed. Needs Debian packages fonts-nanum and fonttools.
set -euo pipefail
cd "$(dirname "$0")"
/usr/bin/python3 - "U+0020-007E,U+00A0-017F,U+2000-206F,U+20A9,U+20AC,U+2190-2193,U+2713,U+3000-303F,U+1100-11FF,U+3130-318F,U+AC00-D7A3,U+FF01-FF5E" <<'PY'
import sys
from fontTools import subset
from fontTools.ttLib import TTFont
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
    for rec in f["name"].names:
        if rec.nameID in (1, 16):
            rec.string = fam
        elif rec.nameID == 4:
            rec.string = fam + ("" if style == "Regular" else " Bold")
        elif rec.nameID == 6:
            rec.string = ps
        elif rec.nameID == 3:
            rec.string = ps + ";subset"
    f.save("WorktalkGothic-%s.ttf" % style)
PY
for f in WorktalkGothic-*.ttf; do gzip -9 -n -c "$f" >"$f.gz" && rm "$f"; done
