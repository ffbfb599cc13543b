// Command gen writes tcpimg's sample image set (the files of package
// imageset) into a folder. Its output is byte-for-byte deterministic, so
// the committed images can be checked against it.
//
//	go run ./testdata/gen -out testdata/images
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tcpimg/tcpimg/testdata/gen/imageset"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	out := fs.String("out", "testdata/images", "folder to write the images into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return imageset.Write(*out)
}
