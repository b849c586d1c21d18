package a2l

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"
)

// Options control parsing. The zero value parses strictly and reads
// /include files from the file system relative to the including file.
type Options struct {
	// Lenient returns everything parsable plus File.Problems instead of
	// failing on the first problem.
	Lenient bool
	// ReadFile reads an /include file; the name is already joined with
	// the directory of the including file. Nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
}

const maxIncludeDepth = 16

// ParseFile reads and parses the A2L file at path.
func ParseFile(path string, opt Options) (*File, error) {
	src, err := readSource(opt, path)
	if err != nil {
		return nil, fmt.Errorf("a2l: %w", err)
	}
	return ParseString(path, src, opt)
}

// Parse parses A2L source held in src; name is used in positions and to
// resolve /include files. src is copied.
func Parse(name string, src []byte, opt Options) (*File, error) {
	return ParseString(name, string(src), opt)
}

// bytesToString turns a freshly read buffer nobody else holds into a
// string without copying (the parser keeps substrings of it).
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// readSource reads a file as text. The parser keeps substrings of it, so
// only a buffer os.ReadFile just allocated is used without a copy: one from
// Options.ReadFile may be shared with (and later changed by) the caller.
func readSource(opt Options, name string) (string, error) {
	if opt.ReadFile != nil {
		b, err := opt.ReadFile(name)
		return string(b), err
	}
	b, err := os.ReadFile(name)
	return bytesToString(b), err
}

// ParseString parses A2L source text. In strict mode (the default) the
// first problem is returned as a *Problem; in lenient mode the returned
// File lists them in Problems and the error is nil.
func ParseString(name string, src string, opt Options) (f *File, err error) {
	src, err = decodeText(src)
	if err != nil {
		return nil, &Problem{Pos: Pos{File: name, Line: 1, Col: 1}, Msg: err.Error()}
	}
	p := &parser{opt: opt, f: &File{}, lx: NewLexer(src), file: name, srcs: map[string]string{name: src}}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			if opt.Lenient {
				p.f.Problems = append(p.f.Problems, b.p)
				p.finish()
				f, err = p.f, nil
				return
			}
			f, err = nil, b.p
		}
	}()
	p.next()
	p.top()
	for _, m := range p.f.Modules {
		p.buildIndex(m)
		p.checkRefs(m)
	}
	p.finish()
	return p.f, nil
}

type bail struct{ p *Problem }

type lexFrame struct {
	lx   *Lexer
	file string
}

type parser struct {
	opt   Options
	f     *File
	mod   *Module
	lx    *Lexer
	file  string
	stack []lexFrame
	srcs  map[string]string
	tok   Token
	depth int // /begin minus /end seen so far
	slab  struct {
		meas  []Measurement
		chars []Characteristic
		ifd   []IfData
		ifp   []*IfData
	}
}

func (p *parser) pos(t Token) Pos {
	off := int32(-1)
	if t.Off <= 1<<31-1 {
		off = int32(t.Off)
	}
	return Pos{File: p.file, Line: t.Line, Col: t.Col, off: off}
}

func (p *parser) newProblem(t Token, format string, args ...any) *Problem {
	return &Problem{Pos: p.pos(t), Msg: fmt.Sprintf(format, args...)}
}

// fail reports a problem that stops the current block.
func (p *parser) fail(t Token, format string, args ...any) {
	panic(bail{p.newProblem(t, format, args...)})
}

// problem reports a problem after which parsing can go on: fatal in
// strict mode, recorded in lenient mode.
func (p *parser) problem(t Token, format string, args ...any) {
	pr := p.newProblem(t, format, args...)
	if !p.opt.Lenient {
		panic(bail{pr})
	}
	p.f.Problems = append(p.f.Problems, pr)
}

func (p *parser) warn(pos Pos, format string, args ...any) {
	p.f.Warnings = append(p.f.Warnings, &Problem{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// next advances to the next token, following /include directives and
// returning from included files at their end.
func (p *parser) next() {
	for {
		t := p.lx.Next()
		switch t.Kind {
		case TokBegin:
			p.depth++
		case TokEnd:
			p.depth--
		case TokEOF:
			if n := len(p.stack); n > 0 {
				p.lx, p.file = p.stack[n-1].lx, p.stack[n-1].file
				p.stack = p.stack[:n-1]
				continue
			}
		case TokInclude:
			p.include(t)
			continue
		case TokInvalid:
			// Lenient parsing records the bad token and skips it: what
			// follows is parsed as if it were not there.
			p.tok = t
			p.problem(t, "%s", t.Text)
			continue
		}
		p.tok = t
		return
	}
}

func (p *parser) include(at Token) {
	t := p.lx.Next()
	if t.Kind != TokString && t.Kind != TokIdent {
		p.tok = t
		p.fail(t, "expected file name after /include, found %s", t.describe())
	}
	name := Unquote(t.Text)
	if !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(p.file), name)
	}
	if len(p.stack) >= maxIncludeDepth {
		p.fail(at, "/include nested deeper than %d levels (recursive include?)", maxIncludeDepth)
	}
	src, err := readSource(p.opt, name)
	if err == nil {
		src, err = decodeText(src)
	}
	if err != nil {
		// Lenient mode skips the missing file and goes on: A2L files
		// fetched from a slave (GET_ID 4) usually /include an A2ML
		// description that only exists on the machine that wrote them.
		p.tok = t
		p.problem(t, "cannot read include file: %v", err)
		return
	}
	p.srcs[name] = src
	p.stack = append(p.stack, lexFrame{p.lx, p.file})
	p.lx, p.file = NewLexer(src), name
}

func (p *parser) expect(kind TokKind, what string) Token {
	t := p.tok
	if t.Kind != kind {
		p.fail(t, "expected %s, found %s", what, t.describe())
	}
	p.next()
	return t
}

func (p *parser) ident(what string) string {
	return p.expect(TokIdent, what).Text
}

func (p *parser) str(what string) string {
	return Unquote(p.expect(TokString, what).Text)
}

// strOrIdent accepts a string or, as some tools write, a bare identifier.
func (p *parser) strOrIdent(what string) string {
	if p.tok.Kind == TokIdent {
		return p.ident(what)
	}
	return p.str(what)
}

func (p *parser) float(what string) float64 {
	t := p.expect(TokNumber, what)
	v, ok := parseFloat(t.Text)
	if !ok {
		p.fail(t, "invalid number %q for %s", t.Text, what)
	}
	return v
}

func (p *parser) int(what string) int64 {
	t := p.expect(TokNumber, what)
	v, ok := parseInt(t.Text)
	if !ok {
		p.fail(t, "expected integer for %s, found %q", what, t.Text)
	}
	return v
}

func (p *parser) intRange(what string, lo, hi int64) int64 {
	t := p.tok
	v := p.int(what)
	if v < lo || v > hi {
		p.fail(t, "%s %d out of range [%d, %d]", what, v, lo, hi)
	}
	return v
}

func (p *parser) uint32(what string) uint32 {
	return uint32(p.intRange(what, 0, 0xFFFFFFFF))
}

func (p *parser) count(what string) int {
	return int(p.intRange(what, 0, 1<<31-1))
}

func (p *parser) isNumber() bool { return p.tok.Kind == TokNumber }

// parseInt parses decimal or 0x hexadecimal integers (leading zeros are
// decimal, as in A2L), and integral floats such as "8.0" or "1e3".
func parseInt(s string) (int64, bool) {
	neg := false
	d := s
	if d != "" && (d[0] == '-' || d[0] == '+') {
		neg = d[0] == '-'
		d = d[1:]
	}
	if d == "" {
		return 0, false
	}
	var v uint64
	if hasHexPrefix(d) {
		var ok bool
		if v, ok = parseHex(d); !ok {
			return 0, false
		}
	} else {
		for i := 0; i < len(d); i++ {
			c := d[i]
			if c < '0' || c > '9' {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil || f != float64(int64(f)) {
					return 0, false
				}
				return int64(f), true
			}
			if v > (1<<63)/10 {
				return 0, false
			}
			v = v*10 + uint64(c-'0')
		}
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

func hasHexPrefix(s string) bool { return len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' }

// parseHex parses "0x" followed by at most 16 hexadecimal digits.
func parseHex(s string) (uint64, bool) {
	if !hasHexPrefix(s) || len(s) > 18 {
		return 0, false
	}
	var v uint64
	for i := 2; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint64(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			v = v<<4 | uint64(c|0x20-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

func parseFloat(s string) (float64, bool) {
	// Fast path for small plain integers, the common case.
	if len(s) < 16 {
		neg := false
		d := s
		if d != "" && d[0] == '-' {
			neg, d = true, d[1:]
		}
		if d != "" && !(len(d) > 1 && d[0] == '0') {
			var v int64
			ok := true
			for i := 0; i < len(d); i++ {
				c := d[i]
				if c < '0' || c > '9' {
					ok = false
					break
				}
				v = v*10 + int64(c-'0')
			}
			if ok {
				if neg {
					return -float64(v), true
				}
				return float64(v), true
			}
		}
	}
	if len(s) > 2 && (strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") || strings.HasPrefix(s, "-0x") || strings.HasPrefix(s, "-0X")) {
		v, ok := parseInt(s)
		return float64(v), ok
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// guard runs a block parser; in lenient mode a failure inside it is
// recorded and parsing resumes after the block's /end.
func (p *parser) guard(kw string, fn func()) {
	depth := p.level()
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok || !p.opt.Lenient {
				panic(r)
			}
			p.f.Problems = append(p.f.Problems, b.p)
			p.resync(kw, depth)
		}
	}()
	fn()
}

// level is the block nesting at the current position, not counting the
// current token itself.
func (p *parser) level() int {
	switch p.tok.Kind {
	case TokBegin:
		return p.depth - 1
	case TokEnd:
		return p.depth + 1
	}
	return p.depth
}

// resync skips to the /end closing the block opened at depth.
func (p *parser) resync(kw string, depth int) {
	defer func() {
		// A second failure (e.g. EOF inside an include) ends parsing.
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			p.f.Problems = append(p.f.Problems, b.p)
			p.tok = p.lx.tok(TokEOF, len(p.lx.src), "")
		}
	}()
	for !(p.tok.Kind == TokEnd && p.depth == depth-1) && p.tok.Kind != TokEOF {
		p.next()
	}
	if p.tok.Kind == TokEnd {
		p.next()
		if p.tok.Kind == TokIdent && p.tok.Text == kw {
			p.next()
		}
	}
}

// endBlock consumes "/end kw".
func (p *parser) endBlock(kw string) {
	p.expect(TokEnd, "/end "+kw)
	t := p.tok
	if t.Kind != TokIdent || t.Text != kw {
		p.problem(t, "expected %s after /end, found %s", kw, t.describe())
		if t.Kind != TokIdent {
			return
		}
	}
	p.next()
}

// handler parses one optional keyword (block false) or /begin block
// (block true, the /begin and keyword already consumed) of an object. It
// returns false for keywords it does not know.
type handler func(kw Token, block bool) bool

// body parses the optional part of a block up to and including /end kw.
func (p *parser) body(kw string, h handler) {
	for {
		switch p.tok.Kind {
		case TokEnd:
			p.endBlock(kw)
			return
		case TokBegin:
			p.next()
			sub := p.tok
			if sub.Kind != TokIdent {
				p.fail(sub, "expected keyword after /begin, found %s", sub.describe())
			}
			p.next()
			if h(sub, true) {
				continue
			}
			if sub.Text == "IF_DATA" {
				p.ifData(sub) // not kept for this object
				continue
			}
			p.otherBlock(kw, sub)
		case TokIdent:
			t := p.tok
			p.next()
			if !h(t, false) {
				p.otherKeyword(kw, t)
			}
		default:
			p.fail(p.tok, "expected keyword or /end %s, found %s", kw, p.tok.describe())
		}
	}
}

// otherBlock skips a /begin block the model does not keep. Known ASAP2
// blocks are skipped silently; unknown ones are a problem.
func (p *parser) otherBlock(in string, sub Token) {
	if !ignoredBlocks[sub.Text] {
		p.problem(sub, "unexpected block %s in %s", sub.Text, in)
	}
	p.skipBlock(sub)
}

// skipBlock skips to the /end matching a block whose keyword was consumed.
func (p *parser) skipBlock(sub Token) {
	depth := p.level()
	for !(p.tok.Kind == TokEnd && p.depth == depth-1) {
		if p.tok.Kind == TokEOF {
			p.fail(p.tok, "expected /end %s for block at %d:%d, found end of file", sub.Text, sub.Line, sub.Col)
		}
		p.next()
	}
	p.endBlock(sub.Text)
}

// otherKeyword skips an optional keyword the model does not keep: known
// ASAP2 keywords with their parameters, unknown ones as a problem.
func (p *parser) otherKeyword(in string, t Token) {
	n, ok := ignoredKeywords[t.Text]
	if !ok {
		p.problem(t, "unexpected keyword %s in %s", t.Text, in)
		// Lenient: skip its parameters, i.e. values up to the next keyword.
		for p.tok.Kind == TokNumber || p.tok.Kind == TokString {
			p.next()
		}
		return
	}
	if n < 0 { // any number of numbers
		for p.tok.Kind == TokNumber {
			p.next()
		}
		return
	}
	for i := 0; i < n; i++ {
		if p.tok.Kind != TokNumber && p.tok.Kind != TokString && p.tok.Kind != TokIdent {
			p.fail(p.tok, "expected parameter %d of %s, found %s", i+1, t.Text, p.tok.describe())
		}
		p.next()
	}
}

// ignoredKeywords are ASAP2 keywords whose values goxcp does not need,
// with their parameter count (-1: a list of numbers).
var ignoredKeywords = map[string]int{
	"ADDRESS_TYPE": 1, "CALIBRATION_ACCESS": 1, "COMPARISON_QUANTITY": 1, "ENCODING": 1,
	"ERROR_MASK": 1, "GUARD_RAILS": 0, "MAX_GRAD": 1, "MODEL_LINK": 1, "REF_MEMORY_SEGMENT": 1,
	"SYMBOL_TYPE_LINK": 1, "CONSISTENT_EXCHANGE": 0, "ECU_CALIBRATION_OFFSET": 1,
	"S_REC_LAYOUT": 1, "STATUS_STRING_REF": 1, "FUNCTION_VERSION": 1, "VAR_NAMING": 1,
	"VAR_SEPARATOR": 1, "VAR_CRITERION": 0, "CPU_TYPE": 1, "MONOTONY": 1, "DEPOSIT": 1,
	"STATIC_RECORD_LAYOUT": 0, "STATIC_ADDRESS_OFFSETS": 0, "ROOT": 0, "DISCRETE": 0,
}

// ignoredBlocks are ASAP2 blocks the model skips.
var ignoredBlocks = map[string]bool{
	"ANNOTATION": true, "BIT_OPERATION": true, "VIRTUAL": true, "FUNCTION_LIST": true,
	"DEPENDENT_CHARACTERISTIC": true, "VIRTUAL_CHARACTERISTIC": true, "MAP_LIST": true,
	"OVERWRITE": true, "CALIBRATION_METHOD": true, "MEMORY_LAYOUT": true, "FRAME": true,
	"TRANSFORMER": true, "USER_RIGHTS": true, "VARIANT_CODING": true, "VAR_CHARACTERISTIC": true,
	"VAR_CRITERION": true, "VAR_FORBIDDEN_COMB": true, "VAR_ADDRESS": true, "CALIBRATION_HANDLE": true,
	"SUB_FUNCTION": true, "DEF_CHARACTERISTIC": true, "IN_MEASUREMENT": true,
	"OUT_MEASUREMENT": true, "LOC_MEASUREMENT": true, "REF_GROUP": true, "FRAME_MEASUREMENT": true,
	"TRANSFORMER_IN_OBJECTS": true, "TRANSFORMER_OUT_OBJECTS": true, "ANNOTATION_TEXT": true,
	"AR_COMPONENT": true, // ASAP2 1.71, in FUNCTION
}

// idents reads identifiers up to the /end of a list block such as
// REF_MEASUREMENT and consumes the /end.
func (p *parser) idents(kw string) []string {
	var out []string
	for p.tok.Kind == TokIdent {
		out = append(out, p.tok.Text)
		p.next()
	}
	p.endBlock(kw)
	return out
}

// top parses ASAP2_VERSION, A2ML_VERSION and PROJECT.
func (p *parser) top() {
	for {
		t := p.tok
		switch t.Kind {
		case TokEOF:
			if p.f.Project.Name == "" {
				p.problem(t, "expected /begin PROJECT, found end of file")
			}
			return
		case TokIdent:
			p.next()
			switch t.Text {
			case "ASAP2_VERSION":
				p.f.ASAP2Version = Version{int(p.int("ASAP2 major version")), int(p.int("ASAP2 minor version"))}
			case "A2ML_VERSION":
				p.f.A2MLVersion = Version{int(p.int("A2ML major version")), int(p.int("A2ML minor version"))}
			default:
				p.fail(t, "expected ASAP2_VERSION, A2ML_VERSION or /begin PROJECT, found %s", t.describe())
			}
		case TokBegin:
			p.next()
			kw := p.tok
			if kw.Kind != TokIdent || kw.Text != "PROJECT" {
				p.fail(kw, "expected PROJECT after /begin, found %s", kw.describe())
			}
			p.next()
			p.project()
		default:
			p.fail(t, "expected ASAP2_VERSION or /begin PROJECT, found %s", t.describe())
		}
	}
}

func (p *parser) project() {
	pr := &p.f.Project
	pr.Name = p.ident("project name")
	pr.LongID = p.str("project long identifier")
	p.body("PROJECT", func(kw Token, block bool) bool {
		if !block {
			return false
		}
		switch kw.Text {
		case "HEADER":
			pr.Header.Comment = p.str("header comment")
			p.body("HEADER", func(kw Token, block bool) bool {
				switch {
				case block:
					return false
				case kw.Text == "VERSION":
					pr.Header.Version = p.str("VERSION")
				case kw.Text == "PROJECT_NO":
					pr.Header.ProjectNo = p.ident("PROJECT_NO")
				default:
					return false
				}
				return true
			})
		case "MODULE":
			p.guard("MODULE", func() { p.module(kw) })
		default:
			return false
		}
		return true
	})
}

// finish builds the indexes of modules cut short by a lenient failure.
func (p *parser) finish() {
	for _, m := range p.f.Modules {
		m.idx.ensure()
		p.buildIndex(m)
	}
}
