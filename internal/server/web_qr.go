package server

import (
	"fmt"
	"html/template"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrQuietZone is the blank border (in modules) that QR readers need
// (ISO/IEC 18004 asks for 4).
const qrQuietZone = 4

// qrSVG renders content (the otpauth:// URL of an MFA enrolment) as an
// inline SVG QR code: one <path> of the dark modules, scaled by the page's
// CSS, with an accessible name. It is rendered on the server, so the page
// needs no script and the secret never leaves the response.
//
// The QR matrix comes from github.com/boombuler/barcode (the library
// github.com/pquerna/otp itself uses for QR images); only the SVG is
// written here. The result is template.HTML because every byte of it is
// produced by this function from numbers and fixed strings, never from
// the content.
func qrSVG(content, label string) (template.HTML, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("server: qr code: %w", err)
	}
	b := code.Bounds()
	w, h := b.Dx(), b.Dy()
	size := w + 2*qrQuietZone
	var path strings.Builder
	for y := range h {
		for x := 0; x < w; {
			if !dark(code.At(b.Min.X+x, b.Min.Y+y)) {
				x++
				continue
			}
			run := 1
			for x+run < w && dark(code.At(b.Min.X+x+run, b.Min.Y+y)) {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x+qrQuietZone, y+qrQuietZone, run, run)
			x += run
		}
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		size, size, template.HTMLEscapeString(label), size, size, path.String())
	return template.HTML(svg), nil //nolint:gosec // built from numbers and an escaped label only
}

// dark reports whether a QR module is dark.
func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}
