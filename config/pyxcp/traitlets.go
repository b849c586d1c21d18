package pyxcp

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// getConfig matches the first line of a traitlets configuration.
var getConfig = regexp.MustCompile(`^c\s*=\s*get_config\(\s*\)$`)

// pyAssign matches `c.Section.Sub.key = value`.
var pyAssign = regexp.MustCompile(`^c((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*=\s*(.*)$`)

// ConvertPy converts a pyXCP traitlets configuration file (Python): lines
// `c.Transport.Eth.host = "localhost"` with int (decimal, hex, octal,
// binary, underscores), float, bool, None, string and list/tuple values.
// `c = get_config()`, comments and blank lines are skipped; every other
// line is reported as a Problem with its line number.
func ConvertPy(name string, data []byte) (*Conversion, error) {
	c := &Conversion{Source: name}
	types := goxcpTypes()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(stripComment(sc.Text()))
		if text == "" || getConfig.MatchString(text) {
			continue
		}
		m := pyAssign.FindStringSubmatch(text)
		if m == nil {
			c.Problems = append(c.Problems, Problem{Line: line, What: clip(text), Msg: "not an assignment c.Section.key = value"})
			continue
		}
		key := strings.TrimPrefix(m[1], ".")
		v, rest, err := parsePyValue(strings.TrimSpace(m[2]))
		if err == nil && strings.TrimSpace(rest) != "" {
			err = fmt.Errorf("unexpected %q after the value", clip(rest))
		}
		if err != nil {
			c.Problems = append(c.Problems, Problem{Line: line, What: key, Msg: "value not understood: " + err.Error()})
			continue
		}
		c.add(types, line, key, key, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", name, line+1, err)
	}
	return c, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// stripComment removes a # comment outside string literals.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case quote != 0 && ch == '\\':
			i++
		case quote != 0 && ch == quote:
			quote = 0
		case quote == 0 && (ch == '"' || ch == '\''):
			quote = ch
		case quote == 0 && ch == '#':
			return s[:i]
		}
	}
	return s
}

var pyNumber = regexp.MustCompile(`^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?)`)

// parsePyValue parses one Python literal at the start of s and returns it
// (int64, float64, bool, nil, string or []any) with the rest of s.
func parsePyValue(s string) (any, string, error) {
	switch {
	case s == "":
		return nil, "", fmt.Errorf("missing value")
	case strings.HasPrefix(s, "True"):
		return true, s[4:], nil
	case strings.HasPrefix(s, "False"):
		return false, s[5:], nil
	case strings.HasPrefix(s, "None"):
		return nil, s[4:], nil
	case s[0] == '"' || s[0] == '\'':
		return parsePyString(s)
	case s[0] == '[' || s[0] == '(':
		closer := map[byte]byte{'[': ']', '(': ')'}[s[0]]
		rest := strings.TrimSpace(s[1:])
		list := []any{}
		for {
			if rest != "" && rest[0] == closer {
				return list, rest[1:], nil
			}
			v, r, err := parsePyValue(rest)
			if err != nil {
				return nil, "", err
			}
			list = append(list, v)
			rest = strings.TrimSpace(r)
			if rest != "" && rest[0] == ',' {
				rest = strings.TrimSpace(rest[1:])
			} else if rest == "" || rest[0] != closer {
				return nil, "", fmt.Errorf("list not closed with %q", closer)
			}
		}
	}
	num := pyNumber.FindString(s)
	if num == "" {
		return nil, "", fmt.Errorf("%q is not a literal (int, float, bool, None, string or list)", clip(s))
	}
	clean := strings.ReplaceAll(num, "_", "")
	if strings.ContainsAny(clean, ".eE") && !strings.HasPrefix(strings.TrimLeft(clean, "+-"), "0x") && !strings.HasPrefix(strings.TrimLeft(clean, "+-"), "0X") {
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil {
			return nil, "", fmt.Errorf("bad number %q", num)
		}
		return f, s[len(num):], nil
	}
	if len(clean) > 1 && clean[0] == '0' && clean[1] >= '0' && clean[1] <= '9' && strings.Trim(clean, "0") != "" {
		return nil, "", fmt.Errorf("bad number %q (Python has no leading-zero decimals)", num)
	}
	n, err := strconv.ParseInt(clean, 0, 64)
	if err != nil {
		return nil, "", fmt.Errorf("bad number %q", num)
	}
	return n, s[len(num):], nil
}

// parsePyString parses a single- or double-quoted string with the common
// escapes, an r-prefix is not supported.
func parsePyString(s string) (any, string, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == q:
			return b.String(), s[i+1:], nil
		case ch == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '\'', '"':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(ch)
		}
	}
	return nil, "", fmt.Errorf("string not closed")
}
