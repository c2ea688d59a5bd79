package ui

import (
	"fmt"
	"image"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"github.com/skip2/go-qrcode"
)

const (
	// qrSide is the QR code's size on screen. A profile link is version 4
	// or 5 (33-37 modules plus the quiet zone), so every module gets at
	// least 4 screen units: a phone camera reads it off the monitor.
	qrSide = 200
	// qrPNGModule is the pixels per module of a saved PNG: about 180 px
	// for a 45-module code with quiet zone, sharp at any print size.
	qrPNGModule = 8
)

// qrCode encodes link with medium error correction (15 %), which is enough
// for screens and print and keeps the code small.
func qrCode(link string) (*qrcode.QRCode, error) {
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("make QR code: %w", err)
	}
	return q, nil
}

// qrImage is the QR code of link, one pixel per module, quiet zone included.
// The canvas scales it up without smoothing.
func qrImage(link string) (image.Image, error) {
	q, err := qrCode(link)
	if err != nil {
		return nil, err
	}
	return q.Image(-1), nil
}

// newQRView shows the QR code of link at qrSide, with crisp module edges.
func newQRView(link string) (*canvas.Image, error) {
	img, err := qrImage(link)
	if err != nil {
		return nil, err
	}
	v := canvas.NewImageFromImage(img)
	v.FillMode = canvas.ImageFillContain
	v.ScaleMode = canvas.ImageScalePixels
	v.SetMinSize(fyne.NewSquareSize(qrSide))
	return v, nil
}

// writeQRPNG writes the QR code of link to out as a PNG.
func writeQRPNG(out io.Writer, link string) error {
	q, err := qrCode(link)
	if err != nil {
		return err
	}
	if err := q.Write(-qrPNGModule, out); err != nil {
		return fmt.Errorf("write QR PNG: %w", err)
	}
	return nil
}
