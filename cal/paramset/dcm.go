package paramset

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DCM ("Datenkonservierung", KONSERVIERUNG_FORMAT 2.0) keywords by object:
//
//	FESTWERT n                      VALUE             WERT v | TEXT "t"
//	FESTWERTEBLOCK n nx [@ ny]      VAL_BLK           WERT/TEXT, a row per y
//	TEXTSTRING n                    ASCII             TEXT "s"
//	KENNLINIE n nx                  CURVE, STD_AXIS   ST/X (ST_TX/X), WERT/TEXT
//	FESTKENNLINIE n nx              CURVE, FIX_AXIS
//	GRUPPENKENNLINIE n nx           CURVE, COM_AXIS   *SSTX names the axis
//	KENNFELD n nx ny                MAP, STD_AXIS     ST/X; per y: ST/Y, WERT row
//	FESTKENNFELD, GRUPPENKENNFELD   MAP, FIX/COM_AXIS *SSTX, *SSTY
//	STUETZSTELLENVERTEILUNG n nx    AXIS_PTS          ST/X
//
// with LANGNAME, DISPLAYNAME, FUNKTION, EINHEIT_X/Y/W and VAR lines, and
// comment lines starting with '*', '!' or '.'.

const dcmValuesPerLine = 6

// writeDCM writes s as DCM; items DCM cannot hold are skipped.
func writeDCM(w io.Writer, s *Set) ([]Skip, error) {
	b := bufio.NewWriter(w)
	var skips []Skip
	fmt.Fprintln(b, "* DCM parameter set written by goxcp")
	if s.Source != "" {
		fmt.Fprintf(b, "* source: %s\n", oneLine(s.Source))
	}
	fmt.Fprint(b, "\nKONSERVIERUNG_FORMAT 2.0\n\n")
	var funcs []string
	for _, it := range s.Items {
		if it.Function != "" && !slices.Contains(funcs, it.Function) {
			funcs = append(funcs, it.Function)
		}
	}
	if len(funcs) > 0 {
		slices.Sort(funcs)
		fmt.Fprintln(b, "FUNKTIONEN")
		for _, f := range funcs {
			fmt.Fprintf(b, "   FKT %s \"\" \"\"\n", f)
		}
		fmt.Fprint(b, "END\n\n")
	}
	for _, it := range s.Items {
		if reason := dcmWriteItem(b, it); reason != "" {
			skips = append(skips, Skip{it.Name, reason})
		}
	}
	if err := b.Flush(); err != nil {
		return nil, fmt.Errorf("paramset: dcm: %w", err)
	}
	return skips, nil
}

// dcmWriteItem writes one item, or returns why DCM cannot hold it.
func dcmWriteItem(b *bufio.Writer, it *Item) string {
	if strings.ContainsAny(it.Name, " \t\"") {
		return "the name has blanks or quotes, which DCM cannot hold"
	}
	for _, t := range append(append([]string(nil), it.Text...), axisTexts(it)...) {
		if strings.Contains(t, `"`) {
			return "a verbal value has a double quote, which DCM cannot hold"
		}
	}
	var head string
	d := dims(it)
	axisKind := func(k int) string {
		if k < len(it.Axes) {
			return it.Axes[k].Kind
		}
		return ""
	}
	prefix := func(k int) string {
		switch axisKind(k) {
		case "FIX_AXIS":
			return "FEST"
		case "COM_AXIS", "RES_AXIS":
			return "GRUPPEN"
		}
		return ""
	}
	switch it.Kind {
	case "VALUE", "BOOLEAN", "DEPENDENT_VALUE":
		if len(it.Values)+len(it.Text) == 0 {
			return "no value"
		}
		head = "FESTWERT " + it.Name
	case "VAL_BLK", "VALUE_ARRAY":
		switch len(d) {
		case 0, 1:
			head = fmt.Sprintf("FESTWERTEBLOCK %s %d", it.Name, max(len(it.Values), len(it.Text)))
		case 2:
			head = fmt.Sprintf("FESTWERTEBLOCK %s %d @ %d", it.Name, d[0], d[1])
		default:
			return fmt.Sprintf("a %d-dimensional VAL_BLK, which DCM cannot hold", len(d))
		}
	case "ASCII":
		if it.String == nil {
			return "no string"
		}
		if strings.ContainsAny(*it.String, "\"\n") {
			return "the string has quotes or line breaks, which DCM cannot hold"
		}
		head = "TEXTSTRING " + it.Name
	case "CURVE":
		if len(d) != 1 || len(it.Axes) != 1 {
			return "a curve without one axis"
		}
		head = fmt.Sprintf("%sKENNLINIE %s %d", prefix(0), it.Name, d[0])
	case "MAP":
		if len(d) != 2 || len(it.Axes) != 2 {
			return "a map without two axes"
		}
		p := prefix(0)
		if p != prefix(1) {
			p = "" // mixed axis kinds: a plain map with both axes' points
		}
		head = fmt.Sprintf("%sKENNFELD %s %d %d", p, it.Name, d[0], d[1])
	case "AXIS_PTS":
		head = fmt.Sprintf("STUETZSTELLENVERTEILUNG %s %d", it.Name, max(len(it.Values), len(it.Text)))
	default:
		return "a " + it.Kind + ", which DCM cannot hold"
	}
	if it.Kind == "CURVE" || it.Kind == "MAP" {
		for k, ax := range it.Axes {
			if max(len(ax.Values), len(ax.Text)) != d[k] {
				return fmt.Sprintf("axis %s has %d points for %d values, and DCM needs them", axisName(k), max(len(ax.Values), len(ax.Text)), d[k])
			}
		}
	}
	fmt.Fprintln(b, head)
	if it.Comment != "" {
		fmt.Fprintf(b, "   LANGNAME %q\n", dcmText(it.Comment))
	}
	if it.Function != "" {
		fmt.Fprintf(b, "   FUNKTION %s\n", it.Function)
	}
	for k, ax := range it.Axes {
		if k < 2 && ax.Unit != "" {
			fmt.Fprintf(b, "   EINHEIT_%c %q\n", "XY"[k], dcmText(ax.Unit))
		}
	}
	if it.Kind == "AXIS_PTS" {
		if it.Unit != "" {
			fmt.Fprintf(b, "   EINHEIT_X %q\n", dcmText(it.Unit))
		}
	} else if it.Unit != "" && it.Kind != "ASCII" {
		fmt.Fprintf(b, "   EINHEIT_W %q\n", dcmText(it.Unit))
	}
	for k, ax := range it.Axes {
		if ax.Ref != "" && (ax.Kind == "COM_AXIS" || ax.Kind == "RES_AXIS") && k < 2 {
			fmt.Fprintf(b, "*SST%c %s\n", "XY"[k], ax.Ref)
		}
	}
	switch it.Kind {
	case "ASCII":
		fmt.Fprintf(b, "   TEXT \"%s\"\n", *it.String)
	case "AXIS_PTS":
		dcmRow(b, "ST/X", "ST_TX/X", it.Values, it.Text)
	case "CURVE":
		dcmRow(b, "ST/X", "ST_TX/X", it.Axes[0].Values, it.Axes[0].Text)
		dcmRow(b, "WERT", "TEXT", it.Values, it.Text)
	case "MAP":
		dcmRow(b, "ST/X", "ST_TX/X", it.Axes[0].Values, it.Axes[0].Text)
		for y := range d[1] {
			lo, hi := y*d[0], (y+1)*d[0]
			dcmRow(b, "ST/Y", "ST_TX/Y", sub(it.Axes[1].Values, y, y+1), sub(it.Axes[1].Text, y, y+1))
			dcmRow(b, "WERT", "TEXT", sub(it.Values, lo, hi), sub(it.Text, lo, hi))
		}
	case "VAL_BLK", "VALUE_ARRAY":
		if len(d) == 2 {
			for y := range d[1] {
				lo, hi := y*d[0], (y+1)*d[0]
				dcmRow(b, "WERT", "TEXT", sub(it.Values, lo, hi), sub(it.Text, lo, hi))
			}
		} else {
			dcmRow(b, "WERT", "TEXT", it.Values, it.Text)
		}
	default:
		dcmRow(b, "WERT", "TEXT", it.Values, it.Text)
	}
	fmt.Fprint(b, "END\n\n")
	return ""
}

func axisTexts(it *Item) []string {
	var out []string
	for _, a := range it.Axes {
		out = append(out, a.Text...)
	}
	return out
}

func sub[T any](s []T, lo, hi int) []T {
	if hi > len(s) {
		return nil
	}
	return s[lo:hi]
}

// dcmRow writes values (or, when every element has a text, the texts) in
// lines of at most dcmValuesPerLine.
func dcmRow(b *bufio.Writer, numKey, textKey string, v []float64, t []string) {
	verbal := len(t) > 0 && !slices.Contains(t, "")
	n := len(v)
	if verbal {
		n = len(t)
	}
	for lo := 0; lo < n; lo += dcmValuesPerLine {
		hi := min(lo+dcmValuesPerLine, n)
		if verbal {
			fmt.Fprintf(b, "   %s", textKey)
			for _, s := range t[lo:hi] {
				fmt.Fprintf(b, " \"%s\"", s)
			}
		} else {
			fmt.Fprintf(b, "   %s", numKey)
			for _, x := range v[lo:hi] {
				fmt.Fprintf(b, " %s", FormatValue(x))
			}
		}
		fmt.Fprintln(b)
	}
}

func dcmText(s string) string { return strings.ReplaceAll(oneLine(s), `"`, "'") }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// dcmError is a DCM syntax or content error at a line.
type dcmError struct {
	line int
	msg  string
}

func (e *dcmError) Error() string { return fmt.Sprintf("paramset: dcm: line %d: %s", e.line, e.msg) }

type dcmKind struct {
	kind, axis string
	ndims      int
}

var dcmKinds = map[string]dcmKind{
	"FESTWERT":                {"VALUE", "", 0},
	"FESTWERTEBLOCK":          {"VAL_BLK", "", -1},
	"TEXTSTRING":              {"ASCII", "", 0},
	"KENNLINIE":               {"CURVE", "STD_AXIS", 1},
	"FESTKENNLINIE":           {"CURVE", "FIX_AXIS", 1},
	"GRUPPENKENNLINIE":        {"CURVE", "COM_AXIS", 1},
	"KENNFELD":                {"MAP", "STD_AXIS", 2},
	"FESTKENNFELD":            {"MAP", "FIX_AXIS", 2},
	"GRUPPENKENNFELD":         {"MAP", "COM_AXIS", 2},
	"STUETZSTELLENVERTEILUNG": {"AXIS_PTS", "", 1},
}

// readDCM parses a DCM file (UTF-8 or Latin-1).
func readDCM(data []byte) (*Set, error) {
	if !utf8.Valid(data) {
		data = latin1ToUTF8(data)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	s := &Set{}
	lines := strings.Split(string(data), "\n")
	var cur *Item
	var curKW string
	var curLine int
	var xs, ys []float64
	var xt, yt []string
	var rows int
	finish := func() error {
		it := cur
		k := dcmKinds[curKW]
		switch k.kind {
		case "CURVE", "MAP":
			if len(it.Axes) < k.ndims {
				for len(it.Axes) < k.ndims {
					it.Axes = append(it.Axes, &Axis{Kind: k.axis})
				}
			}
			it.Axes[0].Values, it.Axes[0].Text = xs, xt
			if k.ndims == 2 {
				it.Axes[1].Values, it.Axes[1].Text = ys, yt
				if rows != it.Dims[1] {
					return &dcmError{curLine, fmt.Sprintf("%s %s: %d ST/Y rows, header says %d", curKW, it.Name, rows, it.Dims[1])}
				}
			}
			if n := max(len(xs), len(xt)); n != it.Dims[0] {
				return &dcmError{curLine, fmt.Sprintf("%s %s: %d ST/X points, header says %d", curKW, it.Name, n, it.Dims[0])}
			}
		case "AXIS_PTS":
			it.Values, it.Text = xs, xt
		case "ASCII":
			if it.String == nil {
				return &dcmError{curLine, fmt.Sprintf("TEXTSTRING %s without TEXT", it.Name)}
			}
		}
		if len(it.Text) > 0 && len(it.Values) > 0 {
			return &dcmError{curLine, fmt.Sprintf("%s %s: both WERT and TEXT values", curKW, it.Name)}
		}
		want := 1
		for _, d := range it.Dims {
			want *= d
		}
		if it.String == nil {
			if n := max(len(it.Values), len(it.Text)); n != want {
				return &dcmError{curLine, fmt.Sprintf("%s %s: %d values, header says %d", curKW, it.Name, n, want)}
			}
		}
		s.Items = append(s.Items, it)
		cur = nil
		return nil
	}
	sawFormat := false
	inBlock := "" // FUNKTIONEN, VARIANTENKODIERUNG: skipped up to END
	for i, raw := range lines {
		ln := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" {
			continue
		}
		if c := line[0]; c == '*' || c == '!' || c == '.' {
			if cur != nil && (strings.HasPrefix(line, "*SSTX") || strings.HasPrefix(line, "*SSTY")) {
				k := 0
				if line[4] == 'Y' {
					k = 1
				}
				for len(cur.Axes) <= k {
					cur.Axes = append(cur.Axes, &Axis{Kind: dcmKinds[curKW].axis})
				}
				cur.Axes[k].Ref = strings.TrimSpace(line[5:])
			}
			continue
		}
		toks, err := dcmTokens(line)
		if err != nil {
			return nil, &dcmError{ln, err.Error()}
		}
		kw := toks[0].s
		if inBlock != "" {
			if kw == "END" {
				inBlock = ""
			}
			continue
		}
		if cur == nil {
			switch {
			case kw == "KONSERVIERUNG_FORMAT":
				if len(toks) != 2 || toks[1].s != "2.0" {
					return nil, &dcmError{ln, fmt.Sprintf("KONSERVIERUNG_FORMAT %s not supported (goxcp reads 2.0)", rest(toks[1:]))}
				}
				sawFormat = true
			case kw == "FUNKTIONEN" || kw == "VARIANTENKODIERUNG":
				inBlock = kw
			case kw == "MODULKOPF":
			case dcmKinds[kw].kind != "":
				k := dcmKinds[kw]
				if len(toks) < 2 || toks[1].quoted {
					return nil, &dcmError{ln, kw + " without a name"}
				}
				cur, curKW, curLine = &Item{Name: toks[1].s, Kind: k.kind}, kw, ln
				xs, ys, xt, yt, rows = nil, nil, nil, nil, 0
				dimsTok := toks[2:]
				if kw == "FESTWERTEBLOCK" && len(dimsTok) == 3 && dimsTok[1].s == "@" {
					dimsTok = []dcmToken{dimsTok[0], dimsTok[2]}
				}
				wantDims := k.ndims
				if wantDims < 0 {
					wantDims = len(dimsTok)
					if wantDims < 1 || wantDims > 2 {
						return nil, &dcmError{ln, fmt.Sprintf("FESTWERTEBLOCK %s: want 'nx' or 'nx @ ny', got %q", cur.Name, rest(toks[2:]))}
					}
				}
				if len(dimsTok) != wantDims {
					return nil, &dcmError{ln, fmt.Sprintf("%s %s: %d dimensions, want %d", kw, cur.Name, len(dimsTok), wantDims)}
				}
				for _, t := range dimsTok {
					n, err := strconv.Atoi(t.s)
					if err != nil || n <= 0 || n > 1<<20 {
						return nil, &dcmError{ln, fmt.Sprintf("%s %s: dimension %q is not a count", kw, cur.Name, t.s)}
					}
					cur.Dims = append(cur.Dims, n)
				}
			default:
				return nil, &dcmError{ln, fmt.Sprintf("unexpected %q outside an object (want FESTWERT, KENNLINIE, KENNFELD, ...)", kw)}
			}
			continue
		}
		args := toks[1:]
		switch kw {
		case "END":
			if err := finish(); err != nil {
				return nil, err
			}
		case "LANGNAME":
			cur.Comment = joinTokens(args)
		case "DISPLAYNAME", "VAR":
		case "FUNKTION":
			if len(args) > 0 {
				cur.Function = args[0].s
			}
		case "EINHEIT_W":
			if cur.Kind != "AXIS_PTS" {
				cur.Unit = joinTokens(args)
			}
		case "EINHEIT_X", "EINHEIT_Y":
			k := int(kw[len(kw)-1] - 'X')
			if cur.Kind == "AXIS_PTS" && k == 0 {
				cur.Unit = joinTokens(args)
				continue
			}
			for len(cur.Axes) <= k {
				cur.Axes = append(cur.Axes, &Axis{Kind: dcmKinds[curKW].axis})
			}
			cur.Axes[k].Unit = joinTokens(args)
		case "ST/X":
			v, err := dcmNumbers(args)
			if err != nil {
				return nil, &dcmError{ln, err.Error()}
			}
			xs = append(xs, v...)
		case "ST_TX/X":
			xt = append(xt, texts1(args)...)
		case "ST/Y", "ST_TX/Y":
			if kw == "ST/Y" {
				v, err := dcmNumbers(args)
				if err != nil {
					return nil, &dcmError{ln, err.Error()}
				}
				ys = append(ys, v...)
			} else {
				yt = append(yt, texts1(args)...)
			}
			rows++
			if n := max(len(cur.Values), len(cur.Text)); len(cur.Dims) == 2 && n != (rows-1)*cur.Dims[0] {
				return nil, &dcmError{ln, fmt.Sprintf("%s %s: row %d starts after %d values, want %d", curKW, cur.Name, rows, n, (rows-1)*cur.Dims[0])}
			}
		case "WERT":
			v, err := dcmNumbers(args)
			if err != nil {
				return nil, &dcmError{ln, err.Error()}
			}
			cur.Values = append(cur.Values, v...)
		case "TEXT":
			if cur.Kind == "ASCII" {
				s := joinTokens(args)
				cur.String = &s
				continue
			}
			cur.Text = append(cur.Text, texts1(args)...)
		default:
			return nil, &dcmError{ln, fmt.Sprintf("%s %s: unexpected %q (missing END?)", curKW, cur.Name, kw)}
		}
	}
	if cur != nil {
		return nil, &dcmError{curLine, fmt.Sprintf("%s %s has no END", curKW, cur.Name)}
	}
	if inBlock != "" {
		return nil, &dcmError{len(lines), inBlock + " has no END"}
	}
	if !sawFormat && len(s.Items) == 0 {
		return nil, &dcmError{1, "no KONSERVIERUNG_FORMAT line and no objects: not a DCM file"}
	}
	return s, nil
}

type dcmToken struct {
	s      string
	quoted bool
}

// dcmTokens splits a line into words and "quoted strings".
func dcmTokens(line string) ([]dcmToken, error) {
	var out []dcmToken
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated string %s", line[i:])
			}
			out = append(out, dcmToken{line[i+1 : i+1+j], true})
			i += j + 2
		default:
			j := i
			for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '"' {
				j++
			}
			out = append(out, dcmToken{line[i:j], false})
			i = j
		}
	}
	return out, nil
}

func dcmNumbers(toks []dcmToken) ([]float64, error) {
	out := make([]float64, 0, len(toks))
	for _, t := range toks {
		v, err := strconv.ParseFloat(t.s, 64)
		if err != nil || t.quoted {
			return nil, fmt.Errorf("%q is not a number", t.s)
		}
		out = append(out, v)
	}
	return out, nil
}

func texts1(toks []dcmToken) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.s
	}
	return out
}

func joinTokens(toks []dcmToken) string { return strings.Join(texts1(toks), " ") }

func rest(toks []dcmToken) string { return joinTokens(toks) }

// latin1ToUTF8 decodes ISO-8859-1 text.
func latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
