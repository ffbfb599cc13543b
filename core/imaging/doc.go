// Package imaging holds the pixel work behind tcpimg's image operations:
// decoding PNG, JPEG and GIF under a pixel limit, THUMBNAIL, GRAYSCALE, BLUR,
// and encoding PNG or JPEG.
//
// It knows nothing of the wire protocol. Its errors are sentinels
// ([ErrFormat], [ErrCorrupt], [ErrTooLarge], [ErrTooComplex],
// [ErrArgument]) so that the protocol layer can map them to statuses in one
// place.
//
// Only image/png, image/jpeg and image/gif are imported: decoding must not
// reach a format whose decoder was never reviewed for hostile input, so the
// format sniffed by [image.DecodeConfig] is checked against that list even
// if some other package in the binary registers more formats. The one
// other decoder is this module's own: [DecodeThumbnail] reads JPEGs
// reduced with the subpackage jpegscale, which follows image/jpeg's rules
// for what it accepts and is fuzzed against it.
//
// The operations work on premultiplied RGBA (*image.RGBA) with tight loops
// over Pix, because averaging premultiplied values is what keeps
// semi-transparent edges from bleeding dark or light halos.
package imaging
