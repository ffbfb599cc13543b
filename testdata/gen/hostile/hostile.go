// Package hostile builds image payloads meant to hurt a decoder:
// decompression bombs whose headers declare far more pixels than their
// bytes hold, a JPEG whose scans multiply its decoding time, and a
// progressive JPEG to truncate. Tests of the image path, its fuzz seeds and
// the server's hostile-input suite share them.
package hostile

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// PNGBomb returns a valid-looking PNG of under 100 bytes whose header
// declares w x h pixels (1..2^31-1 each). Only its header is consistent;
// its pixel data is that of a 1x1 image.
func PNGBomb(w, h uint32) []byte {
	data := encode(func(b *bytes.Buffer) error { return png.Encode(b, tiny()) })
	// Signature (8), IHDR length (4), "IHDR" (4), then width and height.
	binary.BigEndian.PutUint32(data[16:], w)
	binary.BigEndian.PutUint32(data[20:], h)
	// The CRC covers the chunk type and its 13 data bytes.
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}

// JPEGBomb returns a baseline JPEG of well under 1 KiB whose frame header
// declares w x h pixels (JPEG sizes are 16-bit).
func JPEGBomb(w, h uint16) []byte {
	data := encode(func(b *bytes.Buffer) error { return jpeg.Encode(b, tiny(), nil) })
	sof := bytes.Index(data, []byte{0xff, 0xc0})
	// Marker (2), length (2), precision (1), then height and width.
	binary.BigEndian.PutUint16(data[sof+5:], h)
	binary.BigEndian.PutUint16(data[sof+7:], w)
	return data
}

// GIFBomb returns a GIF of under 100 bytes whose logical screen is w x h
// (GIF sizes are 16-bit); its only frame stays 1x1.
func GIFBomb(w, h uint16) []byte {
	data := encode(func(b *bytes.Buffer) error { return gif.Encode(b, tiny(), nil) })
	// "GIF89a" (6), then the logical screen width and height, little-endian.
	binary.LittleEndian.PutUint16(data[6:], w)
	binary.LittleEndian.PutUint16(data[8:], h)
	return data
}

func tiny() *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, 1, 1))
	m.SetRGBA(0, 0, color.RGBA{200, 100, 50, 255})
	return m
}

func encode(f func(*bytes.Buffer) error) []byte {
	var b bytes.Buffer
	if err := f(&b); err != nil {
		panic("hostile: encoding a 1x1 image: " + err.Error())
	}
	return b.Bytes()
}
