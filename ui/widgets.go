package ui

import (
	"hash/fnv"
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// avatar is a round profile picture, or the first letter of the name on a
// colour of its own while there is no picture. Tapping it calls onTapped.
type avatar struct {
	widget.BaseWidget
	side     float32
	name     string
	picID    string // the picture asked for; "" for none
	pic      fyne.Resource
	onTapped func()
}

func newAvatar(side float32, onTapped func()) *avatar {
	a := &avatar{side: side, onTapped: onTapped}
	a.ExtendBaseWidget(a)
	return a
}

// set shows name's initial at once and the picture when it arrives.
func (v *avatar) set(app *App, name, pictureID string) {
	v.name, v.picID, v.pic = name, pictureID, nil
	v.Refresh()
	if pictureID == "" {
		return
	}
	app.pics.get(pictureID, v.side <= thumbSide, func(r fyne.Resource) {
		if v.name == name && v.picID == pictureID { // still showing the same picture
			v.pic = r
			v.Refresh()
		}
	})
}

func (v *avatar) Tapped(*fyne.PointEvent) {
	if v.onTapped != nil {
		v.onTapped()
	}
}

func (v *avatar) MinSize() fyne.Size { return fyne.NewSquareSize(v.side) }

func (v *avatar) CreateRenderer() fyne.WidgetRenderer {
	r := &avatarRenderer{v: v, circle: &canvas.Circle{}, initial: canvas.NewText("", color.White), img: &canvas.Image{FillMode: canvas.ImageFillCover}}
	r.initial.TextStyle.Bold = true
	r.initial.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type avatarRenderer struct {
	v       *avatar
	circle  *canvas.Circle
	initial *canvas.Text
	img     *canvas.Image
}

func (r *avatarRenderer) Layout(s fyne.Size) {
	side := min(s.Width, s.Height)
	pos := fyne.NewPos((s.Width-side)/2, (s.Height-side)/2)
	for _, o := range []fyne.CanvasObject{r.circle, r.img} {
		o.Move(pos)
		o.Resize(fyne.NewSquareSize(side))
	}
	r.img.CornerRadius = side / 2
	ts := r.initial.MinSize()
	r.initial.Move(fyne.NewPos(pos.X+(side-ts.Width)/2, pos.Y+(side-ts.Height)/2))
	r.initial.Resize(ts)
}

func (r *avatarRenderer) MinSize() fyne.Size { return r.v.MinSize() }

func (r *avatarRenderer) Refresh() {
	r.circle.FillColor = nameColor(r.v.name)
	r.initial.Text = initial(r.v.name)
	r.initial.TextSize = r.v.side * 0.42
	r.img.Resource = r.v.pic
	r.img.Hidden = r.v.pic == nil
	r.Layout(r.v.Size())
	r.circle.Refresh()
	r.initial.Refresh()
	r.img.Refresh()
}

func (r *avatarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.circle, r.initial, r.img}
}

func (r *avatarRenderer) Destroy() {}

// initial is the first letter of a name, upper-cased.
func initial(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "?"
	}
	ch, _ := utf8.DecodeRuneInString(name)
	return strings.ToUpper(string(ch))
}

var avatarColors = []color.NRGBA{
	{0x3b, 0x7d, 0xd8, 0xff}, {0x2e, 0x9e, 0x8f, 0xff}, {0x8e, 0x6c, 0xc9, 0xff},
	{0xd0, 0x7a, 0x3a, 0xff}, {0xc2, 0x4f, 0x6b, 0xff}, {0x4f, 0x8a, 0x3c, 0xff},
	{0x5a, 0x6a, 0x84, 0xff}, {0xb5, 0x8b, 0x24, 0xff},
}

// nameColor gives every name a steady colour of its own.
func nameColor(name string) color.Color {
	h := fnv.New32a()
	h.Write([]byte(name))
	return avatarColors[h.Sum32()%uint32(len(avatarColors))]
}

// meBadge is the [Me] mark on my own room.
func meBadge() fyne.CanvasObject {
	bg := newThemedRect(theme.ColorNamePrimary, 4)
	t := canvas.NewText(lang.L("Me"), color.White)
	t.TextSize = theme.CaptionTextSize()
	t.TextStyle.Bold = true
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(1, 1, 6, 6), t))
}

// minWidthLayout makes its objects at least w wide (a side panel).
type minWidthLayout struct{ w float32 }

func (l *minWidthLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(s)
	}
}

func (l *minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := fyne.NewSize(l.w, 0)
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// themedRect is a rectangle filled with a theme colour; unlike a bare
// canvas.Rectangle it follows the theme when the system switches between
// light and dark.
type themedRect struct {
	widget.BaseWidget
	color  fyne.ThemeColorName
	radius float32
}

func newThemedRect(c fyne.ThemeColorName, radius float32) *themedRect {
	r := &themedRect{color: c, radius: radius}
	r.ExtendBaseWidget(r)
	return r
}

func (r *themedRect) CreateRenderer() fyne.WidgetRenderer {
	rr := &themedRectRenderer{w: r, rect: canvas.NewRectangle(nil)}
	rr.Refresh()
	return rr
}

type themedRectRenderer struct {
	w    *themedRect
	rect *canvas.Rectangle
}

func (r *themedRectRenderer) Layout(s fyne.Size)           { r.rect.Resize(s) }
func (r *themedRectRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *themedRectRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }
func (r *themedRectRenderer) Destroy()                     {}
func (r *themedRectRenderer) Refresh() {
	r.rect.FillColor = theme.Color(r.w.color)
	r.rect.CornerRadius = r.w.radius
	r.rect.Refresh()
}

// headingLabel is a large bold label (names on profile cards, titles).
func headingLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// captionLabel is a small muted one-line label that truncates.
func captionLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.LowImportance
	l.SizeName = theme.SizeNameCaptionText
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// setText changes a label's text only when it differs: SetText lays the
// text out again even when it is the same, and lists refresh every row on
// every state.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

// boldLabel is a label in bold that truncates with an ellipsis.
func boldLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// loadingView is shown while a workspace opens.
func loadingView() fyne.CanvasObject {
	return container.NewCenter(container.NewVBox(widget.NewActivity(), widget.NewLabel(lang.L("Opening…"))))
}

// listRow is a list item: its content and the parts update code changes.
// (A plain struct embedding *fyne.Container would not be drawn: Fyne only
// walks widgets and containers it knows.)
type listRow[T any] struct {
	widget.BaseWidget
	parts   *T
	content fyne.CanvasObject
}

func newListRow[T any](parts *T, content fyne.CanvasObject) *listRow[T] {
	r := &listRow[T]{parts: parts, content: content}
	r.ExtendBaseWidget(r)
	return r
}

func (r *listRow[T]) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}
