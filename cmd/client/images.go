package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// imageExts are the file name endings the client sends; they are the inputs
// the server decodes.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// inputImage is one file of the batch, read once and sent as often as the
// batch repeats.
type inputImage struct {
	name string // base name, as found in the folder
	stem string // name for output files: the base name without its extension
	data []byte
}

// loadImages reads every regular file in dir with an image extension, in name
// order (os.ReadDir sorts). A missing folder, or one without images, is a usage error: nothing
// could be sent.
func loadImages(dir string) ([]inputImage, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usagef("-dir: %v", err)
	}
	var imgs []inputImage
	for _, e := range entries {
		if !e.Type().IsRegular() || !imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read image: %w", err)
		}
		imgs = append(imgs, inputImage{name: e.Name(), data: data})
	}
	if len(imgs) == 0 {
		return nil, usagef("-dir %s: no .png, .jpg, .jpeg or .gif files", dir)
	}
	setStems(imgs)
	return imgs, nil
}

// setStems names each image's outputs after its base name without the
// extension, unless two inputs share that stem (a.png and a.jpg): those keep
// their extension in the stem, so their outputs do not overwrite each other.
func setStems(imgs []inputImage) {
	count := make(map[string]int, len(imgs))
	for i := range imgs {
		imgs[i].stem = strings.TrimSuffix(imgs[i].name, filepath.Ext(imgs[i].name))
		count[imgs[i].stem]++
	}
	for i := range imgs {
		if count[imgs[i].stem] > 1 {
			imgs[i].stem = strings.ReplaceAll(imgs[i].name, ".", "_")
		}
	}
}
