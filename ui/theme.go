package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"worktalk.dev/worktalk/assets"
)

// Colour names of our own, for parts the default theme has no name for.
const (
	colorSidebar fyne.ThemeColorName = "worktalkSidebar"
	colorBanner  fyne.ThemeColorName = "worktalkBanner"
	colorMine    fyne.ThemeColorName = "worktalkMine" // my message bubbles
	colorBubble  fyne.ThemeColorName = "worktalkBubble"
	colorMuted   fyne.ThemeColorName = "worktalkMuted"
)

// Theme is the app's look: the embedded Korean-capable font for every text
// style, a calm blue accent, light or dark as the system says.
type Theme struct {
	fonts assets.Fonts
}

var _ fyne.Theme = (*Theme)(nil)

// NewTheme loads the embedded fonts (inflating them on first use).
func NewTheme() (*Theme, error) {
	f, err := assets.LoadFonts()
	if err != nil {
		return nil, err
	}
	return &Theme{fonts: f}, nil
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 0xff} }

var palette = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNamePrimary:          rgb(0x2f, 0x6f, 0xd6),
		theme.ColorNameBackground:       rgb(0xff, 0xff, 0xff),
		theme.ColorNameHeaderBackground: rgb(0xf3, 0xf5, 0xf8),
		theme.ColorNameInputBackground:  rgb(0xf3, 0xf5, 0xf8),
		theme.ColorNameSeparator:        rgb(0xe3, 0xe6, 0xeb),
		theme.ColorNameHover:            color.NRGBA{0x2f, 0x6f, 0xd6, 0x14},
		theme.ColorNameSelection:        color.NRGBA{0x2f, 0x6f, 0xd6, 0x30},
		theme.ColorNameDisabled:         rgb(0x9a, 0xa0, 0xa8),
		colorSidebar:                    rgb(0xf5, 0xf6, 0xf8),
		colorBanner:                     rgb(0xfd, 0xf1, 0xd8),
		colorMine:                       rgb(0xdc, 0xe8, 0xfb),
		colorBubble:                     rgb(0xf0, 0xf2, 0xf5),
		colorMuted:                      rgb(0x6b, 0x72, 0x80),
	},
	theme.VariantDark: {
		theme.ColorNamePrimary:          rgb(0x5b, 0x8f, 0xe8),
		theme.ColorNameBackground:       rgb(0x1e, 0x20, 0x24),
		theme.ColorNameHeaderBackground: rgb(0x26, 0x29, 0x2e),
		theme.ColorNameInputBackground:  rgb(0x2a, 0x2d, 0x33),
		theme.ColorNameSeparator:        rgb(0x33, 0x37, 0x3d),
		theme.ColorNameHover:            color.NRGBA{0x5b, 0x8f, 0xe8, 0x1c},
		theme.ColorNameSelection:        color.NRGBA{0x5b, 0x8f, 0xe8, 0x40},
		theme.ColorNameDisabled:         rgb(0x7d, 0x84, 0x8e),
		colorSidebar:                    rgb(0x23, 0x25, 0x2a),
		colorBanner:                     rgb(0x4a, 0x3b, 0x1a),
		colorMine:                       rgb(0x25, 0x3c, 0x63),
		colorBubble:                     rgb(0x2c, 0x2f, 0x35),
		colorMuted:                      rgb(0x9a, 0xa1, 0xac),
	},
}

func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if v != theme.VariantDark {
		v = theme.VariantLight
	}
	if c, ok := palette[v][n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if s.Bold {
		return t.fonts.Bold
	}
	return t.fonts.Regular
}

func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 6
	}
	return theme.DefaultTheme().Size(n)
}
