package harness

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig reads GIF headers
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNoImages is wrapped when an image folder, or the part of it a
// workload selects, holds no image.
var ErrNoImages = errors.New("no images")

// ImageSet selects images of a [Library] by their pixel count (width x
// height, read from the header), so that a workload says "small images"
// rather than naming files.
type ImageSet struct {
	MinPixels int // smallest pixel count included; 0 means no lower bound
	MaxPixels int // largest pixel count included; 0 means no upper bound
}

// The image sets the scenarios use, by the sizes of testdata/images.
var (
	// AllImages is every image of the library.
	AllImages = ImageSet{}
	// SmallImages are the images up to 640x480: a few ms of work each.
	SmallImages = ImageSet{MaxPixels: 640 * 480}
	// LargeImages are the images of 1024x768 and more: tens of ms each.
	LargeImages = ImageSet{MinPixels: 1024 * 768}
	// WebImages are the images up to one megapixel.
	WebImages = ImageSet{MaxPixels: 1_000_000}
	// TinyImages are the images up to 256x256, for smoke runs under the
	// race detector.
	TinyImages = ImageSet{MaxPixels: 256 * 256}
)

// Contains reports whether an image of px pixels belongs to the set.
func (s ImageSet) Contains(px int) bool {
	return px >= s.MinPixels && (s.MaxPixels == 0 || px <= s.MaxPixels)
}

// String describes the set as a pixel range.
func (s ImageSet) String() string {
	switch {
	case s.MinPixels == 0 && s.MaxPixels == 0:
		return "all images"
	case s.MaxPixels == 0:
		return fmt.Sprintf("images >= %d px", s.MinPixels)
	}
	return fmt.Sprintf("images of %d..%d px", s.MinPixels, s.MaxPixels)
}

// Image is one payload of the library.
type Image struct {
	Name          string // file name
	Width, Height int
	Data          []byte // the encoded file, sent as is
}

// Pixels returns Width x Height.
func (i Image) Pixels() int { return i.Width * i.Height }

// Library is the images a load generator sends, read once from a folder.
type Library struct {
	Dir    string
	Images []Image // sorted by name
}

// LoadLibrary reads every .png, .jpg, .jpeg and .gif file of dir.
func LoadLibrary(dir string) (*Library, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("image folder: %w", err)
	}
	lib := &Library{Dir: dir}
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg", ".gif":
		default:
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", e.Name(), err)
		}
		lib.Images = append(lib.Images, Image{Name: e.Name(), Width: cfg.Width, Height: cfg.Height, Data: data})
	}
	if len(lib.Images) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoImages, dir)
	}
	slices.SortFunc(lib.Images, func(a, b Image) int { return strings.Compare(a.Name, b.Name) })
	return lib, nil
}

// Select returns the images of set, in name order.
func (l *Library) Select(set ImageSet) ([]Image, error) {
	if l == nil {
		return nil, fmt.Errorf("%w: no image folder loaded", ErrNoImages)
	}
	var out []Image
	for _, img := range l.Images {
		if set.Contains(img.Pixels()) {
			out = append(out, img)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s in %s", ErrNoImages, set, l.Dir)
	}
	return out, nil
}

// DefaultImageDir is where the repository keeps its sample images, relative
// to the module root.
const DefaultImageDir = "testdata/images"

// FindImageDir returns DefaultImageDir as seen from the working directory
// or the nearest parent that has it, so that tests (run in their package
// folder) and commands (run from the repository root) find the same images.
func FindImageDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, DefaultImageDir)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no %s in the working directory or its parents", ErrNoImages, DefaultImageDir)
		}
		dir = parent
	}
}
