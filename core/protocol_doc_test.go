package core_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/core/imaging"
)

// PROTOCOL.md is what client authors in other languages read, so these
// tests hold it to the code: every op, format and status core defines has a
// row (same number, same name) and every row names one core defines; every
// limit has a row with its flag and default; every flag it names exists;
// and the worked example's bytes are what the encoder writes and what a
// live server answers.

const protocolDoc = "../PROTOCOL.md"

func readProtocolDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(protocolDoc)
	require.NoError(t, err)
	return string(b)
}

// docSection returns the text under the "## " heading that starts with
// title, up to the next "## " heading.
func docSection(t *testing.T, doc, title string) string {
	t.Helper()
	start := strings.Index(doc, "\n## "+title)
	require.GreaterOrEqual(t, start, 0, "PROTOCOL.md has no section %q", title)
	rest := doc[start+1:]
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// firstTable returns the body rows of the first Markdown table in s, each
// as its trimmed cells.
func firstTable(t *testing.T, s string) [][]string {
	t.Helper()
	var rows [][]string
	inTable := false
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	require.Greater(t, len(rows), 2, "no table with a body")
	return rows[2:] // header and separator
}

// docCodes maps the first column (a code) of a section's first table to
// its second (a name).
func docCodes(t *testing.T, doc, section string) map[int]string {
	t.Helper()
	got := make(map[int]string)
	for _, row := range firstTable(t, docSection(t, doc, section)) {
		code, err := strconv.Atoi(row[0])
		require.NoError(t, err, "row %q", row)
		require.NotContains(t, got, code, "code %d listed twice", code)
		got[code] = row[1]
	}
	return got
}

// sourceConsts parses core's non-test sources and returns, by value, the
// names of the constants declared with type typ. A constant that is not a
// plain integer literal fails the test rather than being missed.
func sourceConsts(t *testing.T, typ string) map[int]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	got := make(map[int]string)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
					continue
				}
				for i, n := range vs.Names {
					require.Less(t, i, len(vs.Values), "%s: %s has no value of its own", fset.Position(n.Pos()), n.Name)
					lit, ok := vs.Values[i].(*ast.BasicLit)
					require.True(t, ok && lit.Kind == token.INT, "%s: %s is not an integer literal; teach this test to read it",
						fset.Position(n.Pos()), n.Name)
					v, err := strconv.ParseInt(lit.Value, 0, 64)
					require.NoError(t, err)
					got[int(v)] = n.Name
				}
			}
		}
	}
	return got
}

// TestProtocolDocCodes checks the Operations, Output formats and Status
// codes tables against the constants core declares and the names their
// String methods give.
func TestProtocolDocCodes(t *testing.T) {
	doc := readProtocolDoc(t)
	tests := []struct {
		name    string
		section string
		typ     string // the constants' type in core
		prefix  string // the constants' name prefix
		defined func(v int) (string, bool)
	}{
		{"ops", "Operations", "Op", "Op", func(v int) (string, bool) {
			o := core.Op(v)
			p, err := core.ParseOp(o.String())
			return strings.ToUpper(o.String()), err == nil && p == o
		}},
		{"formats", "Output formats", "Format", "Format", func(v int) (string, bool) {
			f := core.Format(v)
			p, err := core.ParseFormat(f.String())
			return f.String(), err == nil && p == f
		}},
		{"statuses", "Status codes", "Status", "Status", func(v int) (string, bool) {
			s := core.Status(v)
			return s.String(), s.String() != fmt.Sprintf("STATUS(%d)", v)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			documented := docCodes(t, doc, tt.section)
			named := make(map[int]string)
			for v := range 256 {
				if name, ok := tt.defined(v); ok {
					named[v] = name
				}
			}
			assert.Equal(t, named, documented, "PROTOCOL.md %q against core's String names", tt.section)

			declared := make(map[int]string)
			for v, name := range sourceConsts(t, tt.typ) {
				declared[v] = strings.ToUpper(strings.TrimPrefix(name, tt.prefix))
			}
			squashed := make(map[int]string)
			for v, name := range documented {
				squashed[v] = strings.ToUpper(strings.ReplaceAll(name, "_", ""))
			}
			assert.Equal(t, declared, squashed, "PROTOCOL.md %q against core's %s constants", tt.section, tt.typ)
		})
	}
}

// TestProtocolDocStatusCount keeps NumStatus, which decoders use to refuse
// unknown statuses, equal to the documented count.
func TestProtocolDocStatusCount(t *testing.T) {
	assert.Len(t, docCodes(t, readProtocolDoc(t), "Status codes"), core.NumStatus)
}

// TestProtocolDocArgumentRanges checks the numbers PROTOCOL.md states for
// arguments and messages against core's constants.
func TestProtocolDocArgumentRanges(t *testing.T) {
	doc := readProtocolDoc(t)
	ops := make(map[string]string)
	for _, row := range firstTable(t, docSection(t, doc, "Operations")) {
		ops[row[1]] = strings.Join(row[2:], " | ")
	}
	tests := []struct {
		name string
		give string // where to look
		want string // what must be there
	}{
		{"blur radius", ops["BLUR"], fmt.Sprintf("radius 1..%d", core.MaxBlurRadius)},
		{"spin length", ops["SPIN"], "1.." + thousands(core.MaxSpinUS)},
		{"sleep length", ops["SLEEP"], "1.." + thousands(core.MaxSleepUS)},
		{"default quality", doc, fmt.Sprintf("0 means %d", core.DefaultJPEGQuality)},
		{"message bound", doc, fmt.Sprintf("at most %d KiB", core.MaxMessage>>10)},
		{"message bound in bytes", doc, fmt.Sprintf("at most %s bytes", thousands(core.MaxMessage))},
		{"jpeg scans", doc, fmt.Sprintf("more than %d scans", imaging.MaxJPEGScans)},
		{"header size", doc, fmt.Sprintf("fixed %d-byte header", core.HeaderSize)},
		{"version", doc, fmt.Sprintf("| 4      | 1    | version   | %d |", core.Version)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, tt.give, tt.want)
		})
	}
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestProtocolDocLimits checks the limits table: one row per field of
// core.Limits, its flag the field's name in kebab case, its default the one
// core.DefaultLimits gives.
func TestProtocolDocLimits(t *testing.T) {
	rows := firstTable(t, docSection(t, readProtocolDoc(t), "Limits"))
	documented := make(map[string]string) // flag -> default
	for _, row := range rows {
		flag := strings.Trim(row[1], "`")
		require.True(t, strings.HasPrefix(flag, "-"), "row %q: flag column %q", row[0], row[1])
		documented[strings.TrimPrefix(flag, "-")] = row[2]
	}
	defaults := reflect.ValueOf(core.DefaultLimits())
	fields := make(map[string]bool)
	for i := range defaults.NumField() {
		field := defaults.Type().Field(i)
		flag := kebab(field.Name)
		fields[flag] = true
		t.Run(flag, func(t *testing.T) {
			give, ok := documented[flag]
			require.True(t, ok, "PROTOCOL.md's limits table has no row for -%s (core.Limits.%s)", flag, field.Name)
			want := defaults.Field(i)
			assert.Equal(t, fmt.Sprint(want.Interface()), parseDefault(t, give, want.Type()))
		})
	}
	for flag := range documented {
		assert.True(t, fields[flag], "PROTOCOL.md's limits table lists -%s, which is no field of core.Limits", flag)
	}
}

// kebab turns a Go field name into a flag name: MaxFrame is max-frame.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseDefault reads a documented default as a value of type typ and
// prints it as fmt prints that type: "10 s" is a duration, "32 MiB",
// "40,000,000" and "64" are integers.
func parseDefault(t *testing.T, s string, typ reflect.Type) string {
	t.Helper()
	if typ == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(strings.ReplaceAll(s, " ", ""))
		require.NoError(t, err, "default %q", s)
		return d.String()
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{" KiB", 1 << 10}, {" MiB", 1 << 20}, {" GiB", 1 << 30}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
		}
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	require.NoError(t, err, "default %q", s)
	return strconv.FormatInt(n*mult, 10)
}

// TestProtocolDocFlags checks that every flag PROTOCOL.md names is a flag
// of cmd/server, found as a string literal in its sources (a main package
// cannot be imported).
func TestProtocolDocFlags(t *testing.T) {
	literals := make(map[string]bool)
	fset := token.NewFileSet()
	files, err := filepath.Glob("../cmd/server/*.go")
	require.NoError(t, err)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					literals[s] = true
				}
			}
			return true
		})
	}
	flags := regexp.MustCompile("`-([a-z][a-z-]*)[` ]").FindAllStringSubmatch(readProtocolDoc(t), -1)
	require.NotEmpty(t, flags)
	for _, m := range flags {
		assert.True(t, literals[m[1]], "PROTOCOL.md names -%s, which cmd/server does not define", m[1])
	}
}

// docHex returns the bytes of the annotated hex dump that follows
// <!-- hex:name --> in PROTOCOL.md: lines of a decimal offset, the bytes in
// hex, and a comment. Each offset must continue where the last line ended.
func docHex(t *testing.T, doc, name string) []byte {
	t.Helper()
	marker := "<!-- hex:" + name + " -->\n```\n"
	i := strings.Index(doc, marker)
	require.GreaterOrEqual(t, i, 0, "PROTOCOL.md lacks %q", marker)
	block := doc[i+len(marker):]
	block = block[:strings.Index(block, "```")]
	line := regexp.MustCompile(`^(\d+) +((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:  +.*)?$`)
	var out []byte
	for l := range strings.Lines(block) {
		m := line.FindStringSubmatch(strings.TrimRight(l, "\n"))
		require.NotNil(t, m, "%s: cannot read line %q", name, l)
		require.Equal(t, strconv.Itoa(len(out)), m[1], "%s: offset of line %q", name, l)
		b, err := hex.DecodeString(strings.ReplaceAll(m[2], " ", ""))
		require.NoError(t, err)
		out = append(out, b...)
	}
	return out
}

// TestProtocolDocExample checks the worked example three ways: the request
// bytes are what core's encoder writes, the response bytes are what core's
// encoder writes for the documented answer, and a live server answers the
// request with those bytes (the timing fields aside, which vary).
func TestProtocolDocExample(t *testing.T) {
	doc := readProtocolDoc(t)
	blur := core.RequestHeader{Op: core.OpBlur, JobID: 43, Arg1: 65}
	blurErr := blur.Validate()
	require.Error(t, blurErr)
	tests := []struct {
		name        string
		give        core.RequestHeader
		givePayload []byte
		want        core.ResponseHeader // QueueUS and ServiceUS are taken from the document
		wantPayload []byte
	}{
		{"noop", core.RequestHeader{Op: core.OpNoop, JobID: 42}, []byte("hello"),
			core.ResponseHeader{Status: core.StatusOK, JobID: 42}, []byte("hello")},
		{"blur", blur, nil,
			core.ResponseHeader{Status: core.StatusOf(blurErr), JobID: 43}, []byte(blurErr.Error())},
	}
	srv := startServer(t, core.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docReq, docResp := docHex(t, doc, tt.name+"-request"), docHex(t, doc, tt.name+"-response")
			require.GreaterOrEqual(t, len(docResp), core.HeaderSize)

			var req bytes.Buffer
			require.NoError(t, core.WriteRequest(&req, tt.give, tt.givePayload))
			assert.Equal(t, hexLines(req.Bytes()), hexLines(docReq), "request bytes against core.WriteRequest")

			documented, err := core.DecodeResponseHeader(docResp)
			require.NoError(t, err)
			want := tt.want
			want.QueueUS, want.ServiceUS = documented.QueueUS, documented.ServiceUS
			want.Length = uint32(len(tt.wantPayload))
			resp := make([]byte, core.HeaderSize)
			core.PutResponseHeader(resp, &want)
			resp = append(resp, tt.wantPayload...)
			assert.Equal(t, hexLines(resp), hexLines(docResp), "response bytes against core.PutResponseHeader")

			live := exchange(t, srv.Addr, docReq)
			assert.Equal(t, hexLines(withoutTimes(docResp)), hexLines(withoutTimes(live)), "a live server's answer")
		})
	}
}

// exchange sends req on a fresh connection, half-closes, and returns every
// byte the server writes before it closes.
func exchange(t *testing.T, addr string, req []byte) []byte {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(20*time.Second)))
	_, err = nc.Write(req)
	require.NoError(t, err)
	require.NoError(t, nc.(*net.TCPConn).CloseWrite())
	resp, err := io.ReadAll(nc)
	require.NoError(t, err)
	return resp
}

// withoutTimes returns a copy of a response with queue_us and service_us
// zeroed.
func withoutTimes(resp []byte) []byte {
	out := bytes.Clone(resp)
	if len(out) >= 24 {
		clear(out[16:24])
	}
	return out
}

// hexLines renders bytes as PROTOCOL.md's dumps do, so a failure shows
// where they differ.
func hexLines(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 8 {
		fmt.Fprintf(&s, "%-3d %x\n", i, b[i:min(i+8, len(b))])
	}
	return s.String()
}
