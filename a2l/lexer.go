package a2l

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// TokKind classifies a token of the A2L syntax.
type TokKind uint8

// Token kinds.
const (
	TokEOF     TokKind = iota // end of input
	TokIdent                  // keyword or identifier (letters, digits, _ . [ ])
	TokNumber                 // decimal, hexadecimal or floating-point number
	TokString                 // "..." (Text is the raw content without quotes)
	TokBegin                  // /begin
	TokEnd                    // /end
	TokInclude                // /include
	TokInvalid                // a byte sequence that is no token (Text says what)
)

var tokNames = [...]string{"end of file", "identifier", "number", "string", "/begin", "/end", "/include", "invalid token"}

// String returns a readable name of the TokKind for messages.
func (k TokKind) String() string {
	if int(k) < len(tokNames) {
		return tokNames[k]
	}
	return fmt.Sprintf("TokKind(%d)", k)
}

// Token is one lexical element with its position (1-based line and column,
// column counted in bytes).
type Token struct {
	Kind TokKind
	Text string
	Line int32
	Col  int32
	Off  int // byte offset in the source
}

// describe renders the token for error messages.
func (t Token) describe() string {
	switch t.Kind {
	case TokEOF, TokBegin, TokEnd, TokInclude:
		return t.Kind.String()
	case TokString:
		return fmt.Sprintf("string %q", clip(t.Text))
	case TokInvalid:
		return t.Text
	default:
		return fmt.Sprintf("%s %q", t.Kind, clip(t.Text))
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// character classes
const (
	cSpace = 1 << iota
	cIdentStart
	cIdent
	cDigit
)

var class = func() (t [256]uint8) {
	for _, c := range " \t\r\n\f\v" {
		t[c] |= cSpace
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cIdentStart | cIdent
		t[c-'a'+'A'] |= cIdentStart | cIdent
	}
	t['_'] |= cIdentStart | cIdent
	for c := '0'; c <= '9'; c++ {
		t[c] |= cIdent | cDigit
	}
	t['.'] |= cIdent
	t['['] |= cIdent
	t[']'] |= cIdent
	return t
}()

// MaxTokenLen bounds the length in bytes of one identifier, number or
// string token. ASAM MCD-2 MC limits identifiers to 1024 characters and
// real descriptions stay far below this; a longer token is reported as
// invalid instead of being carried through parsing and checking (a
// multi-megabyte name made them use gigabytes of memory).
const MaxTokenLen = 64 << 10

func tooLong(what string, n int) string {
	return fmt.Sprintf("%s of %d bytes exceeds the limit of %d bytes", what, n, MaxTokenLen)
}

// strStop and rawStop mark the bytes a string scan and a raw block scan
// must look at; the rest is skipped in a tight loop.
var strStop, rawStop = func() (s, r [256]bool) {
	s['"'], s['\\'], s['\n'] = true, true, true
	r['"'], r['/'], r['\n'] = true, true, true
	return
}()

// Lexer splits A2L source into tokens. It handles /* */ and // comments,
// strings with \" or "" escapes, and the /begin, /end and /include
// directives. It never allocates per token: token texts are substrings of
// the source.
type Lexer struct {
	src       string
	pos       int
	line      int32
	lineStart int
}

// NewLexer returns a lexer over src.
func NewLexer(src string) *Lexer {
	return &Lexer{src: src, line: 1}
}

// newLexerAt returns a lexer whose positions continue from a token at
// line/col (used to re-lex an IF_DATA block with correct positions).
func newLexerAt(src string, line, col int32) *Lexer {
	return &Lexer{src: src, line: line, lineStart: -int(col - 1)}
}

func (l *Lexer) tok(kind TokKind, start int, text string) Token {
	return Token{Kind: kind, Text: text, Line: l.line, Col: int32(start-l.lineStart) + 1, Off: start}
}

// skipSpace skips white space and comments. It returns a non-empty message
// for an unterminated comment.
func (l *Lexer) skipSpace() (errTok Token, bad bool) {
	src := l.src
	for l.pos < len(src) {
		// White space in locals: the common case, kept in registers.
		pos, line, lineStart := l.pos, l.line, l.lineStart
		for pos < len(src) && class[src[pos]]&cSpace != 0 {
			if src[pos] == '\n' {
				line++
				lineStart = pos + 1
			}
			pos++
		}
		l.pos, l.line, l.lineStart = pos, line, lineStart
		if pos >= len(src) {
			return
		}
		c := src[pos]
		if c != '/' || l.pos+1 >= len(src) {
			return
		}
		switch src[l.pos+1] {
		case '*':
			start := l.pos
			startTok := l.tok(TokInvalid, start, "")
			l.pos += 2
			for {
				for l.pos < len(src) && src[l.pos] != '*' && src[l.pos] != '\n' {
					l.pos++
				}
				if l.pos >= len(src) {
					startTok.Text = "unterminated /* comment"
					return startTok, true
				}
				if src[l.pos] == '\n' {
					l.line++
					l.pos++
					l.lineStart = l.pos
					continue
				}
				if l.pos+1 < len(src) && src[l.pos+1] == '/' {
					l.pos += 2
					break
				}
				l.pos++
			}
		case '/':
			i := strings.IndexByte(src[l.pos:], '\n')
			if i < 0 {
				l.pos = len(src)
				return
			}
			l.pos += i // newline handled by the loop
		default:
			return
		}
	}
	return
}

// Next returns the next token. At the end it returns TokEOF repeatedly.
func (l *Lexer) Next() Token {
	if et, bad := l.skipSpace(); bad {
		return et
	}
	src := l.src
	if l.pos >= len(src) {
		return l.tok(TokEOF, l.pos, "")
	}
	start := l.pos
	c := src[start]
	switch {
	case class[c]&cIdentStart != 0:
		i := start + 1
		for i < len(src) && class[src[i]]&cIdent != 0 {
			i++
		}
		l.pos = i
		if i-start > MaxTokenLen {
			return l.tok(TokInvalid, start, tooLong("identifier", i-start))
		}
		return l.tok(TokIdent, start, src[start:i])
	case class[c]&cDigit != 0 || ((c == '-' || c == '+' || c == '.') && start+1 < len(src) && (class[src[start+1]]&cDigit != 0 || src[start+1] == '.')):
		return l.number(start)
	case c == '"':
		return l.str(start)
	case c == '/':
		i := start + 1
		for i < len(src) && class[src[i]]&cIdentStart != 0 {
			i++
		}
		l.pos = i
		switch src[start+1 : i] {
		case "begin":
			return l.tok(TokBegin, start, src[start:i])
		case "end":
			return l.tok(TokEnd, start, src[start:i])
		case "include":
			return l.tok(TokInclude, start, src[start:i])
		}
		return l.tok(TokInvalid, start, fmt.Sprintf("unknown directive %q", clip(src[start:l.pos])))
	}
	return l.garbage(start)
}

// garbage returns an invalid token for the run of characters at start
// that cannot begin a token (stray bytes, an en-dash before a number,
// typographic quotes): up to white space or the start of a real token, so
// lenient parsing can skip it as one and go on with what follows.
func (l *Lexer) garbage(start int) Token {
	src := l.src
	i := start
	for i < len(src) {
		c := src[i]
		if i > start && (class[c]&(cSpace|cIdentStart|cDigit) != 0 || c == '"' || c == '/') {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		_, n := utf8.DecodeRuneInString(src[i:])
		i += n
	}
	l.pos = i
	text := src[start:i]
	if r, n := utf8.DecodeRuneInString(text); n == len(text) {
		if r == utf8.RuneError {
			return l.tok(TokInvalid, start, fmt.Sprintf("unexpected byte 0x%02X", text[0]))
		}
		if r >= utf8.RuneSelf {
			return l.tok(TokInvalid, start, fmt.Sprintf("unexpected character %q (U+%04X)", r, r))
		}
		return l.tok(TokInvalid, start, fmt.Sprintf("unexpected character %q", r))
	}
	return l.tok(TokInvalid, start, fmt.Sprintf("unexpected characters %q", clip(text)))
}

func (l *Lexer) number(start int) Token {
	src := l.src
	i := start
	if src[i] == '-' || src[i] == '+' {
		i++
	}
	if i+1 < len(src) && src[i] == '0' && (src[i+1] == 'x' || src[i+1] == 'X') {
		i += 2
		for i < len(src) && isHex(src[i]) {
			i++
		}
	} else {
		for i < len(src) && (class[src[i]]&cDigit != 0 || src[i] == '.') {
			i++
		}
		if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
			j := i + 1
			if j < len(src) && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j < len(src) && class[src[j]]&cDigit != 0 {
				for j < len(src) && class[src[j]]&cDigit != 0 {
					j++
				}
				i = j
			}
		}
	}
	// A number must be followed by a separator; "12abc" is an error.
	if i < len(src) && class[src[i]]&cIdent != 0 {
		for i < len(src) && class[src[i]]&cIdent != 0 {
			i++
		}
		l.pos = i
		return l.tok(TokInvalid, start, fmt.Sprintf("malformed number %q", clip(src[start:i])))
	}
	l.pos = i
	if i-start > MaxTokenLen {
		return l.tok(TokInvalid, start, tooLong("number", i-start))
	}
	return l.tok(TokNumber, start, src[start:i])
}

func isHex(c byte) bool {
	return class[c]&cDigit != 0 || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func (l *Lexer) str(start int) Token {
	src := l.src
	t := l.tok(TokString, start, "")
	i := start + 1
	for {
		for i < len(src) && !strStop[src[i]] {
			i++
		}
		if i >= len(src) {
			l.pos = len(src)
			t.Kind, t.Text = TokInvalid, "unterminated string"
			return t
		}
		switch src[i] {
		case '\n':
			l.line++
			l.lineStart = i + 1
			i++
		case '\\':
			// A backslash escapes the next byte; an escaped newline
			// (line continuation) still starts a new line.
			if i+1 < len(src) && src[i+1] == '\n' {
				l.line++
				l.lineStart = i + 2
			}
			i += 2
			if i > len(src) {
				i = len(src)
			}
		default: // quote
			if i+1 < len(src) && src[i+1] == '"' {
				i += 2
				continue
			}
			t.Text = src[start+1 : i]
			l.pos = i + 1
			if len(t.Text) > MaxTokenLen {
				t.Kind, t.Text = TokInvalid, tooLong("string", len(t.Text))
			}
			return t
		}
	}
}

// Unquote resolves the escapes \" "" \\ \n \t inside a string token's text.
func Unquote(s string) string {
	if strings.IndexByte(s, '\\') < 0 && !strings.Contains(s, `""`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
		case c == '"' && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipRawBlock advances past "/end kw" without tokenising the content
// (used for A2ML, whose grammar differs). Comments and strings are honoured
// so an "/end A2ML" inside them does not end the block. It returns the raw
// content and whether the end was found.
func (l *Lexer) skipRawBlock(kw string) (string, bool) {
	src := l.src
	start := l.pos
	for l.pos < len(src) {
		// Skip what cannot end the block or start a string or comment.
		for l.pos < len(src) && !rawStop[src[l.pos]] {
			l.pos++
		}
		if l.pos >= len(src) {
			break
		}
		c := src[l.pos]
		switch c {
		case '\n':
			l.line++
			l.lineStart = l.pos + 1
			l.pos++
		case '"':
			if t := l.str(l.pos); t.Kind == TokInvalid {
				return src[start:], false
			}
		case '/':
			if strings.HasPrefix(src[l.pos:], "/*") || strings.HasPrefix(src[l.pos:], "//") {
				if _, bad := l.skipSpace(); bad {
					return src[start:], false
				}
				continue
			}
			if strings.HasPrefix(src[l.pos:], "/end") {
				save := *l
				end := l.pos
				l.pos += 4
				if _, bad := l.skipSpace(); !bad && strings.HasPrefix(src[l.pos:], kw) &&
					(l.pos+len(kw) == len(src) || class[src[l.pos+len(kw)]]&cIdent == 0) {
					l.pos += len(kw)
					return src[start:end], true
				}
				*l = save
			}
			l.pos++
		default:
			l.pos++
		}
	}
	return src[start:], false
}
