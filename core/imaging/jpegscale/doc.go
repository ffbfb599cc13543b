// Package jpegscale decodes baseline and progressive JPEG images at 1/1,
// 1/2, 1/4 or 1/8 of their size ("shrink on load"), for thumbnails.
//
// A decoder that must produce a thumbnail need not build every pixel: each
// 8x8 block of DCT coefficients can be turned straight into the 4x4, 2x2
// or single pixel that averages it. [Decode] does so with the exact average
// of the full inverse DCT over each group of output pixels, which uses
// every coefficient (the averaging is a linear map, folded into the
// transform's cosine table), so the reduced image is what a full decode
// followed by a box filter would give, up to rounding. At 1/8 the average
// is the DC coefficient alone, and for a progressive image the decoder
// then reads only the DC scans, skipping the AC scans' data unread.
//
// Memory follows the reduced image: a baseline image is decoded straight
// into reduced planes, MCU by MCU, and a progressive image at 1/8 keeps
// one DC value per block. A progressive image at 1/2 or 1/4 must keep
// every block's coefficients until its last scan: 2 bytes per sample of
// each component, 3 bytes per pixel at 4:2:0.
//
// The parser follows image/jpeg's rules for what it accepts, so that a
// server can switch between the two without changing which payloads are
// refused. Files whose colour model or sampling this package leaves to
// image/jpeg (CMYK, YCCK, RGB, 4:4:0, 4:1:1 and 4:1:0 sampling) get
// [ErrUnsupported], for the caller to fall back on.
package jpegscale
