package a2l

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Text encodings of A2L sources. ASAP2 files are written as UTF-8 (with or
// without a byte-order mark, Vector ASAP2 Studio writes one), UTF-16 with a
// byte-order mark, or single-byte ISO-8859-1 (Latin-1) by older tools.
const (
	bomUTF8    = "\xEF\xBB\xBF"
	bomUTF16LE = "\xFF\xFE"
	bomUTF16BE = "\xFE\xFF"
)

// decodeText turns an A2L source into UTF-8 text: it drops a UTF-8
// byte-order mark, decodes UTF-16 with a byte-order mark, and reads text
// that is not valid UTF-8 as Latin-1. Plain UTF-8 (the common case) is
// returned as is, without a copy.
func decodeText(src string) (string, error) {
	switch {
	case strings.HasPrefix(src, bomUTF8):
		src = src[len(bomUTF8):]
	case strings.HasPrefix(src, bomUTF16LE):
		return decodeUTF16(src[2:], false)
	case strings.HasPrefix(src, bomUTF16BE):
		return decodeUTF16(src[2:], true)
	}
	if utf8.ValidString(src) {
		return src, nil
	}
	return latin1(src), nil
}

// latin1 converts ISO-8859-1 text to UTF-8.
func latin1(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
		} else {
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

func decodeUTF16(s string, bigEndian bool) (string, error) {
	if len(s)%2 != 0 {
		return "", fmt.Errorf("UTF-16 text (byte-order mark) of odd length %d", len(s)+2)
	}
	u := make([]uint16, len(s)/2)
	for i := range u {
		a, b := uint16(s[2*i]), uint16(s[2*i+1])
		if bigEndian {
			u[i] = a<<8 | b
		} else {
			u[i] = b<<8 | a
		}
	}
	return string(utf16.Decode(u)), nil
}
