package report

import (
	"bufio"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Field is one configuration key of a benchmark file with every value it
// took, in the order they first appeared. Most keys keep one value for the
// whole file; a key written once per repetition (the capacity measured
// anew by each process, say) can take several, and the page shows them
// all rather than guess which one counts.
type Field struct {
	Key    string
	Values []string
}

// ParseHeader reads the configuration lines of Go benchmark output: the
// "key: value" lines that the benchmark format defines (a key starts with
// a lower-case letter and holds no space nor upper-case letter), wherever
// they appear in the file, since go test repeats some of them before every
// package's results. Fields come in the order their keys first appear. A
// key with an empty value deletes the key in the format's terms, but here
// it is shown as it was written, as an empty value.
func ParseHeader(r io.Reader) ([]Field, error) {
	var (
		fields []Field
		index  = map[string]int{}
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		key, val, ok := keyValue(sc.Text())
		if !ok {
			continue
		}
		i, seen := index[key]
		if !seen {
			i = len(fields)
			index[key] = i
			fields = append(fields, Field{Key: key})
		}
		if !slices.Contains(fields[i].Values, val) {
			fields[i].Values = append(fields[i].Values, val)
		}
	}
	return fields, sc.Err()
}

// keyValue splits a configuration line, as the benchmark format's reader in
// golang.org/x/perf/benchfmt does, and trims the value's trailing blanks
// (go test pads the cpu line).
func keyValue(line string) (key, val string, ok bool) {
	colon := -1
	for i, r := range line {
		if i == 0 && !unicode.IsLower(r) || unicode.IsSpace(r) || unicode.IsUpper(r) || r == utf8.RuneError {
			return "", "", false
		}
		if i > 0 && r == ':' {
			colon = i
			break
		}
	}
	if colon < 0 {
		return "", "", false
	}
	key, rest := line[:colon], line[colon+1:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", "", false
	}
	return key, strings.TrimSpace(rest), true
}

// Lookup returns the field named key, or false.
func Lookup(fields []Field, key string) (Field, bool) {
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Key == key })
	if i < 0 {
		return Field{}, false
	}
	return fields[i], true
}
