//go:build ignore

// Draws assets/icon.png: a speech bubble on a rounded square. Run from the
// repository root with: go run assets/icongen/main.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	top := color.NRGBA{0x2f, 0x6f, 0xd6, 0xff}
	bottom := color.NRGBA{0x1f, 0x4f, 0xa8, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	dot := color.NRGBA{0x2a, 0x62, 0xc4, 0xff}
	// 4x4 supersampling per pixel for smooth edges.
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var bg, fg, dt float64
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
					if inRoundRect(px, py, 16, 16, 496, 496, 104) {
						bg++
					}
					if inBubble(px, py) {
						fg++
					}
					for _, cx := range []float64{186, 256, 326} {
						if math.Hypot(px-cx, py-236) <= 24 {
							dt++
						}
					}
				}
			}
			bg, fg, dt = bg/16, fg/16, dt/16
			if bg == 0 {
				continue
			}
			t := float64(y) / size
			c := mix(top, bottom, t)
			c = mix(c, white, fg)
			c = mix(c, dot, dt)
			c.A = uint8(255 * bg)
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create("assets/icon.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
}

// inBubble is a rounded rectangle with a tail at its lower left.
func inBubble(x, y float64) bool {
	if inRoundRect(x, y, 106, 126, 406, 346, 70) {
		return true
	}
	// Tail: triangle (150,330) (250,330) (140,410).
	return inTriangle(x, y, 150, 330, 250, 330, 140, 410)
}

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return math.Hypot(x-cx, y-cy) <= r
}

func inTriangle(x, y, ax, ay, bx, by, cx, cy float64) bool {
	d1 := (x-bx)*(ay-by) - (ax-bx)*(y-by)
	d2 := (x-cx)*(by-cy) - (bx-cx)*(y-cy)
	d3 := (x-ax)*(cy-ay) - (cx-ax)*(y-ay)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(p, q uint8) uint8 { return uint8(float64(p)*(1-t) + float64(q)*t + 0.5) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), l(a.A, b.A)}
}
