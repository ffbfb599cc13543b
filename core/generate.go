package core

// The sample images in testdata/images are drawn by a deterministic
// generator; TestSampleImagesAreGenerated checks they are its output.
//go:generate go run ../testdata/gen -out ../testdata/images
