package workbench_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/internal/jsonstyle"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/workbench"
)

const token = "0123456789abcdef0123456789abcdef"

type env struct {
	sim  *sim.Slave
	base string // http://127.0.0.1:PORT
	dir  string
}

// serve starts the simulator, a master and the workbench on 127.0.0.1.
func serve(t *testing.T, readOnly bool) *env {
	t.Helper()
	s, m := simtest.Start(t, "tcp", sim.Config{}, master.Config{})
	f, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srv, err := workbench.New(workbench.Config{Master: m, Module: f.Modules[0], Token: token, ReadOnly: readOnly, RecordDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetAddr(ln.Addr())
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	t.Cleanup(func() {
		hs.Close()
		srv.Close(context.Background())
	})
	return &env{sim: s, base: "http://" + ln.Addr().String(), dir: dir}
}

// do sends a request; hdr are header pairs.
func (e *env) do(t *testing.T, method, path, body string, hdr ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		checkKeys(t, method+" "+path, b)
	}
	return resp.StatusCode, string(b)
}

// checkKeys fails t if the JSON the API sent has a key that is not
// snake_case (the one JSON key style of goxcp; the page's app.js reads
// these keys).
func checkKeys(t *testing.T, what string, b []byte) {
	t.Helper()
	bad, err := jsonstyle.CheckJSON(b)
	if err != nil || len(bad) > 0 {
		t.Errorf("%s: keys not snake_case %q (%v): %s", what, bad, err, b)
	}
}

func TestAPITypesKeyStyle(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[workbench.Info](), reflect.TypeFor[workbench.Object](), reflect.TypeFor[workbench.Detail](),
		reflect.TypeFor[workbench.WriteRequest](), reflect.TypeFor[workbench.WatchRequest](), reflect.TypeFor[workbench.RecordRequest](),
		reflect.TypeFor[workbench.Frame](), reflect.TypeFor[workbench.RecState](),
	} {
		if bad := jsonstyle.CheckType(typ); len(bad) > 0 {
			t.Errorf("%v: %q", typ, bad)
		}
	}
}

func TestSecurity(t *testing.T) {
	e := serve(t, false)
	host := strings.TrimPrefix(e.base, "http://")
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		want                     int
	}{
		{"no token", "GET", "/api/info", "", nil, 401},
		{"wrong token", "GET", "/api/info", "", []string{"X-XCP-Token", "x" + token[1:]}, 401},
		{"token header", "GET", "/api/info", "", []string{"X-XCP-Token", token}, 200},
		{"page without token", "GET", "/", "", nil, 401},
		{"wrong token in URL", "GET", "/?token=nope", "", nil, 401},
		{"token in URL sets the cookie", "GET", "/?token=" + token, "", nil, 303},
		{"cookie", "GET", "/", "", []string{"Cookie", "xcp_token=" + token}, 200},
		{"DNS rebinding: foreign Host", "GET", "/api/info", "", []string{"X-XCP-Token", token, "Host", "evil.example:" + strings.Split(host, ":")[1]}, 403},
		{"Host with another port", "GET", "/api/info", "", []string{"X-XCP-Token", token, "Host", "127.0.0.1:1"}, 403},
		{"localhost is the server", "GET", "/api/info", "", []string{"X-XCP-Token", token, "Host", "localhost:" + strings.Split(host, ":")[1]}, 200},
		{"cross-site write", "POST", "/api/write", `{"name":"mode","values":["ECO"]}`, []string{"Cookie", "xcp_token=" + token, "Origin", "http://evil.example"}, 403},
		{"cross-site websocket", "GET", "/api/stream", "", []string{"Cookie", "xcp_token=" + token, "Origin", "http://evil.example", "Connection", "Upgrade", "Upgrade", "websocket"}, 403},
		{"cookie write without Origin", "POST", "/api/write", `{"name":"mode","values":["ECO"]}`, []string{"Cookie", "xcp_token=" + token}, 403},
		{"same-origin write", "POST", "/api/write", `{"name":"mode","values":["ECO"]}`, []string{"Cookie", "xcp_token=" + token, "Origin", e.base}, 200},
		{"static asset needs the token too", "GET", "/static/app.js", "", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do(t, tt.method, tt.path, tt.body, tt.hdr...)
			if code != tt.want {
				t.Errorf("%s %s: %d %q, want %d", tt.method, tt.path, code, body, tt.want)
			}
		})
	}
	// The cookie the token URL sets is HttpOnly and SameSite=Strict.
	resp, err := http.DefaultTransport.RoundTrip(must(http.NewRequest("GET", e.base+"/?token="+token, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := resp.Header.Get("Set-Cookie")
	if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
		t.Errorf("cookie %q", c)
	}
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}

func TestCalibrationAPI(t *testing.T) {
	e := serve(t, false)
	auth := []string{"X-XCP-Token", token}
	code, body := e.do(t, "GET", "/api/objects?q=idle&kind=characteristic", "", auth...)
	if code != 200 || !strings.Contains(body, `"idle_curve"`) || strings.Contains(body, `"counter"`) {
		t.Fatalf("objects: %d %s", code, body)
	}
	code, body = e.do(t, "GET", "/api/objects?kind=measurement", "", auth...)
	if code != 200 || !strings.Contains(body, `"counter"`) || strings.Contains(body, `"idle_curve"`) {
		t.Fatalf("measurements: %d %s", code, body)
	}
	code, body = e.do(t, "GET", "/api/object?name=idle_curve", "", auth...)
	if code != 200 || !strings.Contains(body, `"phys":[900,850,800,750]`) || strings.Contains(body, `"reference"`) {
		t.Fatalf("object: %d %s", code, body)
	}
	if code, body = e.do(t, "GET", "/api/object?name=idle_curv", "", auth...); code != 404 || !strings.Contains(body, "did you mean") {
		t.Errorf("unknown object: %d %s", code, body)
	}
	// Write a curve point and an axis point: checked, read back, and the
	// simulator's memory holds it; the reference page now differs.
	code, body = e.do(t, "POST", "/api/write", `{"name":"idle_curve","values":["910","850","800","750"],"axes":[["0","20","40","65"]]}`, auth...)
	if code != 200 || !strings.Contains(body, `"phys":[910,850,800,750]`) {
		t.Fatalf("write: %d %s", code, body)
	}
	b, _ := e.sim.ReadMemory(sim.CalBase+0x100+1+2*4, 0, 2) // the first value (rpm × 2, Intel)
	if raw := int(b[0]) | int(b[1])<<8; raw != 1820 {
		t.Errorf("simulator memory: raw %d, want 1820", raw)
	}
	code, body = e.do(t, "GET", "/api/object?name=idle_curve", "", auth...)
	if code != 200 || !strings.Contains(body, `"reference":{`) || !strings.Contains(body, `"phys":[900,850,800,750]`) {
		t.Errorf("reference page difference: %d %s", code, body)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"name":"temp_limit","values":["500"]}`, "range"},
		{`{"name":"mode","values":["TURBO"]}`, "TURBO"},
		{`{"name":"counter","values":["1"]}`, "read-only"},
		{`{"nme":"mode"}`, "unknown field"},
	} {
		code, body := e.do(t, "POST", "/api/write", tc.body, auth...)
		if code < 400 || !strings.Contains(body, tc.want) {
			t.Errorf("write %s: %d %s, want an error naming %q", tc.body, code, body, tc.want)
		}
	}
	ro := serve(t, true)
	if code, body := ro.do(t, "POST", "/api/write", `{"name":"mode","values":["ECO"]}`, auth...); code != 403 || !strings.Contains(body, "read-only") {
		t.Errorf("read-only write: %d %s", code, body)
	}
	if code, body := ro.do(t, "GET", "/api/object?name=mode", "", auth...); code != 200 || !strings.Contains(body, `"writable":false`) {
		t.Errorf("read-only object: %d %s", code, body)
	}
}

func TestLiveStreamAndRecording(t *testing.T) {
	e := serve(t, false)
	auth := []string{"X-XCP-Token", token}
	if code, body := e.do(t, "POST", "/api/watch", `{"names":["counter","waves.sine"],"event":"1ms"}`, auth...); code != 200 {
		t.Fatalf("watch: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.base, "http")+"/api/stream", &websocket.DialOptions{HTTPHeader: http.Header{"X-XCP-Token": {token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	var samples uint64
	frames := 0
	var f workbench.Frame
	for samples < 100 {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("after %d frames: %v", frames, err)
		}
		frames++
		if frames == 1 {
			checkKeys(t, "stream frame", b)
		}
		f = workbench.Frame{}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		if len(f.Names) == 2 {
			samples += f.N[0]
			if f.N[0] > 0 && (f.Min[0] == nil || f.Max[0] == nil || *f.Min[0] > *f.Max[0]) {
				t.Fatalf("frame %+v", f)
			}
		}
	}
	if f.Names[0] != "counter" || f.Units[0] != "ms" {
		t.Errorf("frame names %v units %v", f.Names, f.Units)
	}
	// Decimation: many samples per frame at 1 kHz, at most 20 frames a second.
	if samples/uint64(frames) < 5 {
		t.Errorf("%d samples in %d frames: not decimated", samples, frames)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"action":"start","file":"../escape.xlog"}`, "plain name"},
		{`{"action":"start","file":"run.txt"}`, "plain name"},
		{`{"action":"jump"}`, "want start or stop"},
		{`{"action":"stop"}`, "not recording"},
	} {
		if code, body := e.do(t, "POST", "/api/record", tc.body, auth...); code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("record %s: %d %s", tc.body, code, body)
		}
	}
	if code, body := e.do(t, "POST", "/api/record", `{"action":"start","file":"run.xlog"}`, auth...); code != 200 {
		t.Fatalf("record start: %d %s", code, body)
	}
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f = workbench.Frame{}
		json.Unmarshal(b, &f)
		if f.Record != nil && f.Record.Frames > 50 {
			checkKeys(t, "stream frame while recording", b)
			break
		}
	}
	code, body := e.do(t, "POST", "/api/record", `{"action":"stop"}`, auth...)
	if code != 200 || !strings.Contains(body, `"stopped":"run.xlog"`) {
		t.Fatalf("record stop: %d %s", code, body)
	}
	r, err := record.Open(filepath.Join(e.dir, "run.xlog"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for r.Next() {
		n++
	}
	if !r.Complete() || n < 50 {
		t.Errorf("recording: complete %v, %d frames", r.Complete(), n)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.dir), "escape.xlog")); err == nil {
		t.Error("a recording escaped the record directory")
	}
}

// Two pages watching at once see the same frames (one drain of the live
// monitor per interval, published to every client), not half the samples
// each.
func TestTwoClientsShareFrames(t *testing.T) {
	e := serve(t, false)
	if code, body := e.do(t, "POST", "/api/watch", `{"names":["counter"],"event":"1ms"}`, "X-XCP-Token", token); code != 200 {
		t.Fatalf("watch: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dial := func() *websocket.Conn {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.base, "http")+"/api/stream", &websocket.DialOptions{HTTPHeader: http.Header{"X-XCP-Token": {token}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := dial(), dial()
	defer a.CloseNow()
	defer b.CloseNow()
	times := func(c *websocket.Conn, n int) map[float64]uint64 {
		out := map[float64]uint64{}
		for len(out) < n {
			_, msg, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var f workbench.Frame
			json.Unmarshal(msg, &f)
			if len(f.N) == 1 {
				out[f.T] = f.N[0]
			}
		}
		return out
	}
	ta, tb := times(a, 20), times(b, 20)
	same := 0
	for tm, n := range ta {
		if m, ok := tb[tm]; ok {
			if m != n {
				t.Errorf("frame at %v: %d samples for one client, %d for the other", tm, n, m)
			}
			same++
		}
	}
	if same < 10 {
		t.Errorf("only %d of 20 frames are the same for both clients", same)
	}
}
