package monitor_test

import (
	"bufio"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/monitor"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
)

func TestSparkline(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		in   []float64
		want string
	}{
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{nan, 5, 5, nan}, " ▄▄ "},
		{[]float64{-1, 1, nan, -1}, "▁█ ▁"},
		{nil, ""},
	} {
		if got := monitor.Sparkline(tc.in); got != tc.want {
			t.Errorf("Sparkline(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLinesWithoutATerminal(t *testing.T) {
	code, out, errOut := xcptest.Run("--sim", "monitor", "counter", "amplitude", "--event", "1ms", "--json", "--interval", "100ms", "--duration", "650ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	var last struct {
		Values []struct {
			Name    string
			Value   *float64
			Unit    string
			Samples uint64
		}
	}
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		n++
	}
	if n < 3 || len(last.Values) != 2 || last.Values[0].Name != "counter" || last.Values[0].Unit != "ms" || last.Values[0].Samples == 0 || last.Values[1].Value == nil || *last.Values[1].Value != 100 {
		t.Errorf("%d lines, last %+v\n%s", n, last, out)
	}
	code, out, _ = xcptest.Run("--sim", "monitor", "counter", "--poll", "20ms", "--interval", "100ms", "--duration", "350ms")
	if code != 0 || !strings.Contains(out, "counter=") || !strings.Contains(out, " ms") {
		t.Errorf("plain lines: %d %q", code, out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--sim", "monitor"}, 2, "at least one measurement"},
		{[]string{"--sim", "monitor", "countr", "--duration", "100ms"}, 2, "did you mean"},
		{[]string{"--sim", "monitor", "counter", "--refresh", "1ms"}, 2, "at least 10ms"},
	} {
		code, _, errOut := xcptest.Run(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("xcp %v: %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
