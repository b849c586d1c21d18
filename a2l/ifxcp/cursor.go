package ifxcp

import (
	"fmt"
	"strconv"

	"github.com/goxcp/goxcp/a2l"
)

// cursor walks the items of an IF_DATA node. Decoding failures panic with
// a *decodeError, turned into an error by catch at the API boundary.
type cursor struct {
	n *a2l.Node
	i int
}

type decodeError struct{ err error }

func catch(err *error) {
	if r := recover(); r != nil {
		de, ok := r.(decodeError)
		if !ok {
			panic(r)
		}
		*err = de.err
	}
}

func newCursor(n *a2l.Node) *cursor { return &cursor{n: n} }

func (c *cursor) more() bool { return c.i < len(c.n.Items) }

func (c *cursor) failf(format string, args ...any) {
	var tok a2l.Token
	if c.i < len(c.n.Items) {
		tok = c.n.Items[c.i].Tok
	} else if c.i > 0 {
		tok = c.n.Items[c.i-1].Tok
	}
	panic(decodeError{c.n.Errorf(tok, "%s: %s", c.n.Name, fmt.Sprintf(format, args...))})
}

func (c *cursor) value(what string, kind a2l.TokKind) a2l.Token {
	if !c.more() {
		c.failf("expected %s, found end of block", what)
	}
	it := c.n.Items[c.i]
	if it.Block != nil {
		c.failf("expected %s, found /begin %s", what, it.Block.Name)
	}
	if it.Tok.Kind != kind {
		c.failf("expected %s, found %s %q", what, it.Tok.Kind, it.Tok.Text)
	}
	c.i++
	return it.Tok
}

func (c *cursor) int(what string) int {
	t := c.value(what, a2l.TokNumber)
	v, err := strconv.ParseInt(t.Text, 0, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(t.Text, 64)
		if ferr != nil || f != float64(int64(f)) {
			c.i--
			c.failf("expected integer %s, found %q", what, t.Text)
		}
		v = int64(f)
	}
	return int(v)
}

func (c *cursor) ident(what string) string { return c.value(what, a2l.TokIdent).Text }

func (c *cursor) str(what string) string { return a2l.Unquote(c.value(what, a2l.TokString).Text) }

// tag consumes an identifier (a taggedstruct tag or enum value).
func (c *cursor) tag() string { return c.ident("tag") }

// block consumes and returns a nested block at the cursor, or nil.
func (c *cursor) block() *a2l.Node {
	if c.more() && c.n.Items[c.i].Block != nil {
		c.i++
		return c.n.Items[c.i-1].Block
	}
	return nil
}

func (c *cursor) peekKind() a2l.TokKind {
	if !c.more() || c.n.Items[c.i].Block != nil {
		return a2l.TokEOF
	}
	return c.n.Items[c.i].Tok.Kind
}

func (c *cursor) peekText() string {
	if !c.more() || c.n.Items[c.i].Block != nil {
		return ""
	}
	return c.n.Items[c.i].Tok.Text
}

func (c *cursor) peekIdent() string {
	if c.peekKind() != a2l.TokIdent {
		return ""
	}
	return c.n.Items[c.i].Tok.Text
}

// skipUnknown skips the values of a tag goxcp does not interpret.
func (c *cursor) skipUnknown() {
	for c.more() && (c.peekKind() == a2l.TokNumber || c.peekKind() == a2l.TokString) {
		c.i++
	}
}
