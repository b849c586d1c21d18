package a2l

import (
	"strings"
	"testing"
)

func TestLexerBoundsTokenLength(t *testing.T) {
	long := strings.Repeat("A", MaxTokenLen+1)
	digits := strings.Repeat("1", MaxTokenLen+1)
	for _, tc := range []struct {
		name, src string
		kind      TokKind
		msg       string
	}{
		{"identifier at the limit", strings.Repeat("A", MaxTokenLen), TokIdent, ""},
		{"identifier over the limit", long, TokInvalid, "identifier of 65537 bytes exceeds the limit of 65536 bytes"},
		{"number over the limit", digits, TokInvalid, "number of 65537 bytes exceeds the limit of 65536 bytes"},
		{"string at the limit", `"` + strings.Repeat("x", MaxTokenLen) + `"`, TokString, ""},
		{"string over the limit", `"` + long + `"`, TokInvalid, "string of 65537 bytes exceeds the limit of 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLexer(tc.src + " next")
			tok := l.Next()
			if tok.Kind != tc.kind {
				t.Fatalf("kind %s, want %s (%s)", tok.Kind, tc.kind, clip(tok.Text))
			}
			if tc.msg != "" && tok.Text != tc.msg {
				t.Fatalf("text %q, want %q", tok.Text, tc.msg)
			}
			if n := l.Next(); n.Kind != TokIdent || n.Text != "next" {
				t.Fatalf("the lexer did not continue after the token: %s %q", n.Kind, clip(n.Text))
			}
		})
	}
}

// A huge name is a problem reported with its position, not gigabytes of
// memory.
func TestParseRefusesHugeName(t *testing.T) {
	src := "ASAP2_VERSION 1 71\n/begin PROJECT " + strings.Repeat("P", 4<<20) + " \"x\"\n/end PROJECT\n"
	_, err := ParseString("huge.a2l", src, Options{})
	if err == nil || !strings.Contains(err.Error(), "huge.a2l:2:16: identifier of 4194304 bytes exceeds the limit") {
		t.Fatalf("err = %v", err)
	}
}
