package a2l

import "fmt"

// IfData is an IF_DATA block, kept as raw text: its grammar is defined by
// the A2ML of the interface (e.g. XCP_104.aml), so it is decoded on demand
// with Parse and interpreted by packages such as goxcp/a2l/ifxcp.
type IfData struct {
	Name string // e.g. XCP
	Pos  Pos    // position of the content (the first token after the name)
	Raw  string // the content after the name, up to /end IF_DATA
}

// Node is a decoded IF_DATA block or one of its /begin NAME ... /end NAME
// sub-blocks: a sequence of values and nested blocks.
type Node struct {
	Name  string
	Pos   Pos
	Items []Item
}

// Item is a value token (Block nil) or a nested block.
type Item struct {
	Tok   Token
	Block *Node
}

// Parse decodes the IF_DATA content into a tree.
func (d *IfData) Parse() (n *Node, err error) {
	p := &parser{f: &File{}, lx: newLexerAt(d.Raw, d.Pos.Line, d.Pos.Col), file: d.Pos.File}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			n, err = nil, b.p
		}
	}()
	root := &Node{Name: d.Name, Pos: d.Pos}
	p.next()
	p.ifItems(root, 0)
	if p.tok.Kind != TokEOF {
		p.fail(p.tok, "unexpected %s in IF_DATA %s", p.tok.describe(), d.Name)
	}
	return root, nil
}

func (p *parser) ifItems(n *Node, depth int) {
	if depth > 64 {
		p.fail(p.tok, "IF_DATA blocks nested deeper than 64 levels")
	}
	for {
		switch p.tok.Kind {
		case TokEOF, TokEnd:
			return
		case TokBegin:
			p.next()
			kw := p.tok
			name := p.ident("block name after /begin")
			sub := &Node{Name: name, Pos: p.pos(kw)}
			p.ifItems(sub, depth+1)
			if p.tok.Kind != TokEnd {
				p.fail(p.tok, "expected /end %s, found %s", name, p.tok.describe())
			}
			p.endBlock(name)
			n.Items = append(n.Items, Item{Block: sub})
		default:
			n.Items = append(n.Items, Item{Tok: p.tok})
			p.next()
		}
	}
}

// Blocks returns the direct sub-blocks named name.
func (n *Node) Blocks(name string) []*Node {
	var out []*Node
	for _, it := range n.Items {
		if it.Block != nil && it.Block.Name == name {
			out = append(out, it.Block)
		}
	}
	return out
}

// Block returns the first direct sub-block named name, or nil.
func (n *Node) Block(name string) *Node {
	for _, it := range n.Items {
		if it.Block != nil && it.Block.Name == name {
			return it.Block
		}
	}
	return nil
}

// Values returns the value tokens of n (not those of nested blocks).
func (n *Node) Values() []Token {
	var out []Token
	for _, it := range n.Items {
		if it.Block == nil {
			out = append(out, it.Tok)
		}
	}
	return out
}

// Errorf returns a *Problem located at tok (or at the node if tok has no
// position) for IF_DATA decoders.
func (n *Node) Errorf(tok Token, format string, args ...any) error {
	pos := n.Pos
	if tok.Line > 0 {
		pos.Line, pos.Col = tok.Line, tok.Col
	}
	return &Problem{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// IfData returns the module-level IF_DATA blocks named name.
func (m *Module) IfDataNamed(name string) []*IfData {
	var out []*IfData
	for _, d := range m.IfData {
		if d.Name == name {
			out = append(out, d)
		}
	}
	return out
}
