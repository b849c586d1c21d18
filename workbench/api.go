package workbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/live"
	"github.com/goxcp/goxcp/protocol/xcp"
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /api/info", s.info)
	s.mux.HandleFunc("GET /api/objects", s.objects)
	s.mux.HandleFunc("GET /api/object", s.object)
	s.mux.HandleFunc("POST /api/write", s.write)
	s.mux.HandleFunc("POST /api/watch", s.watch)
	s.mux.HandleFunc("GET /api/stream", s.stream)
	s.mux.HandleFunc("POST /api/record", s.recordCtl)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func fail(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// Info is what /api/info returns: the slave and the A2L.
type Info struct {
	Resources     string `json:"resources"`
	ByteOrder     string `json:"byte_order"`
	MaxCTO        int    `json:"max_cto"`
	MaxDTO        int    `json:"max_dto"`
	Protocol      int    `json:"protocol_version"`
	Transport     int    `json:"transport_version"`
	Module        string `json:"module"`
	ModuleComment string `json:"module_comment,omitempty"`
	EPK           string `json:"epk,omitempty"`
	ReadOnly      bool   `json:"read_only"`
	Objects       int    `json:"objects"`
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	ci := s.cfg.Master.ConnectInfo()
	mod := s.cfg.Module
	writeJSON(w, http.StatusOK, Info{Resources: ci.Resource.String(), ByteOrder: ci.Order().String(), MaxCTO: int(ci.MaxCTO), MaxDTO: int(ci.MaxDTO),
		Protocol: int(ci.ProtocolVersion), Transport: int(ci.TransportVersion), Module: mod.Name, ModuleComment: mod.LongID, EPK: mod.ModPar.EPK,
		ReadOnly: s.cfg.ReadOnly, Objects: len(mod.Names())})
}

// Object is one entry of the A2L browser.
type Object struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"` // MEASUREMENT, VALUE, CURVE, MAP, ..., AXIS_PTS, BLOB
	Comment string `json:"comment,omitempty"`
	Unit    string `json:"unit,omitempty"`
}

// maxObjects bounds one /api/objects answer.
const maxObjects = 500

func (s *Server) objects(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	kind := r.URL.Query().Get("kind")
	group := r.URL.Query().Get("group")
	mod := s.cfg.Module
	var in map[string]bool
	if group != "" {
		in = map[string]bool{}
		for _, n := range mod.Members(group) {
			in[n] = true
		}
	}
	var out []Object
	total := 0
	for _, name := range mod.Names() {
		if in != nil && !in[name] {
			continue
		}
		d, err := cal.Describe(mod, name)
		if err != nil {
			continue
		}
		o := Object{Name: name, Kind: d.Kind(), Comment: comment(d.Obj)}
		switch kind {
		case "", "all":
		case "measurement":
			if o.Kind != "MEASUREMENT" {
				continue
			}
		case "characteristic":
			if o.Kind == "MEASUREMENT" || o.Kind == "BLOB" {
				continue
			}
		default:
			if o.Kind != kind {
				continue
			}
		}
		if q != "" && !strings.Contains(strings.ToLower(o.Name), q) && !strings.Contains(strings.ToLower(o.Comment), q) {
			continue
		}
		total++
		if len(out) < maxObjects {
			out = append(out, o)
		}
	}
	groups := []string{}
	for _, f := range mod.Functions {
		groups = append(groups, f.Name)
	}
	for _, g := range mod.Groups {
		groups = append(groups, g.Name)
	}
	sort.Strings(groups)
	if out == nil {
		out = []Object{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"objects": out, "total": total, "groups": groups})
}

func comment(o *a2l.Object) string {
	switch {
	case o == nil:
	case o.Measurement != nil:
		return o.Measurement.LongID
	case o.Characteristic != nil:
		return o.Characteristic.LongID
	case o.AxisPts != nil:
		return o.AxisPts.LongID
	case o.Blob != nil:
		return o.Blob.LongID
	}
	return ""
}

// Detail is what /api/object returns.
type Detail struct {
	Object
	Address  string     `json:"address"`
	Ext      int        `json:"ext"`
	Writable bool       `json:"writable"`
	Value    *cal.Value `json:"value,omitempty"`
	// Reference is the value on the reference page, when the slave has
	// one and it differs from the working page in this object's bytes.
	Reference *cal.Value `json:"reference,omitempty"`
	// Choices are the texts of a verbal conversion.
	Choices []string `json:"choices,omitempty"`
	Error   string   `json:"error,omitempty"`
}

func (s *Server) object(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	mod := s.cfg.Module
	d, err := cal.Describe(mod, name)
	if err != nil {
		fail(w, http.StatusNotFound, fmt.Errorf("%w%s", err, a2ldaq.Suggest(mod, name)))
		return
	}
	det := Detail{Object: Object{Name: name, Kind: d.Kind(), Comment: comment(d.Obj)}, Address: fmt.Sprintf("0x%08X", d.Address), Ext: int(d.Ext)}
	c := d.Obj.Common()
	det.Writable = !s.cfg.ReadOnly && d.Kind() != "BLOB" && !c.ReadOnly && (d.Kind() != "MEASUREMENT" || c.ReadWrite)
	det.Choices = choices(mod, d.Obj)
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	s.calMu.Lock()
	defer s.calMu.Unlock()
	v, err := d.Read(ctx, s.cfg.Master)
	if err != nil {
		det.Error = err.Error()
		writeJSON(w, http.StatusOK, det)
		return
	}
	det.Value, det.Unit = v, v.Unit
	if d.Kind() != "MEASUREMENT" {
		det.Reference = s.reference(ctx, d, v)
	}
	writeJSON(w, http.StatusOK, det)
}

// reference reads d from the reference page of its segment (switching
// XCP's page there and back) and returns it when it differs from v.
func (s *Server) reference(ctx context.Context, d *cal.Desc, v *cal.Value) *cal.Value {
	m := s.cfg.Master
	if m.ConnectInfo().Resource&xcp.ResCalPag == 0 {
		return nil
	}
	pages, err := m.ReadCalPages(ctx)
	if err != nil {
		return nil
	}
	for _, seg := range pages.Segments {
		if d.Address < seg.Address || uint64(d.Address)+uint64(d.Size) > uint64(seg.Address)+uint64(seg.Length) || len(seg.Pages) < 2 {
			continue
		}
		ref := uint8(1)
		if seg.XCPPage == 1 {
			ref = 0
		}
		if err := m.SetCalPage(ctx, xcp.CalPageXCP, seg.Number, ref); err != nil {
			return nil
		}
		rv, err := d.Read(ctx, m)
		// Back to the working page whatever happened.
		if berr := m.SetCalPage(context.WithoutCancel(ctx), xcp.CalPageXCP, seg.Number, seg.XCPPage); berr != nil {
			s.log.Error("workbench: restoring the XCP page failed", "segment", seg.Number, "err", berr)
		}
		if err != nil || slices.Equal(rv.Raw, v.Raw) && (rv.String == nil) == (v.String == nil) && (rv.String == nil || *rv.String == *v.String) && sameAxes(rv, v) {
			return nil
		}
		return rv
	}
	return nil
}

func sameAxes(a, b *cal.Value) bool {
	if len(a.Axes) != len(b.Axes) {
		return false
	}
	for i := range a.Axes {
		if a.Axes[i] == nil || b.Axes[i] == nil {
			if a.Axes[i] != b.Axes[i] {
				return false
			}
			continue
		}
		if !slices.Equal(a.Axes[i].Raw, b.Axes[i].Raw) {
			return false
		}
	}
	return true
}

// choices returns the texts of the object's verbal conversion.
func choices(m *a2l.Module, o *a2l.Object) []string {
	name := ""
	switch {
	case o.Characteristic != nil:
		name = o.Characteristic.Conversion
	case o.Measurement != nil:
		name = o.Measurement.Conversion
	}
	cm := m.CompuMethod(name)
	if cm == nil || cm.CompuTabRef == "" {
		return nil
	}
	if vt := m.CompuVTab(cm.CompuTabRef); vt != nil {
		return slices.Clone(vt.Out)
	}
	if vr := m.CompuVTabRange(cm.CompuTabRef); vr != nil {
		return slices.Clone(vr.Out)
	}
	return nil
}

// WriteRequest is the body of POST /api/write: physical values as text
// (verbal values by their text), and optionally the points of axes stored
// with the object.
type WriteRequest struct {
	Name   string     `json:"name"`
	Values []string   `json:"values"`
	Axes   [][]string `json:"axes,omitempty"`
	// ExtendedLimits allows values up to EXTENDED_LIMITS.
	ExtendedLimits bool `json:"extended_limits,omitempty"`
}

func (s *Server) write(w http.ResponseWriter, r *http.Request) {
	if s.cfg.ReadOnly {
		fail(w, http.StatusForbidden, errors.New("read-only: xcp ui was started with --read-only"))
		return
	}
	var req WriteRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("bad request: %w", err))
		return
	}
	d, err := cal.Describe(s.cfg.Module, req.Name)
	if err != nil {
		fail(w, http.StatusNotFound, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	s.calMu.Lock()
	defer s.calMu.Unlock()
	// The same checked path as `xcp write`: convert and check everything,
	// then write, then read back and compare.
	p, err := d.Prepare(ctx, s.cfg.Master, cal.Input{Values: req.Values, Axes: req.Axes}, cal.Options{ExtendedLimits: req.ExtendedLimits})
	if err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, cal.ErrReadOnly) {
			status = http.StatusForbidden
		}
		fail(w, status, err)
		return
	}
	v, err := p.Commit(ctx, s.cfg.Master)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	s.log.Info("workbench: wrote", "name", req.Name)
	writeJSON(w, http.StatusOK, map[string]any{"value": v})
}

// WatchRequest is the body of POST /api/watch: the measurements to follow
// and the event for those without DAQ_EVENT ("" polls them).
type WatchRequest struct {
	Names []string `json:"names"`
	Event string   `json:"event,omitempty"`
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	var req WatchRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("bad request: %w", err))
		return
	}
	if len(req.Names) > 64 {
		fail(w, http.StatusBadRequest, errors.New("at most 64 signals"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.restartLocked(r.Context(), req.Names, req.Event, s.record); err != nil {
		fail(w, http.StatusUnprocessableEntity, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"names": s.names})
}

// restartLocked replaces the live monitor (s.mu held).
func (s *Server) restartLocked(ctx context.Context, names []string, event, record string) error {
	if s.closed {
		return errors.New("server closed")
	}
	if err := s.stopMonitorLocked(context.WithoutCancel(ctx)); err != nil {
		s.log.Warn("workbench: stopping the live view", "err", err)
	}
	s.names, s.event = nil, event
	if len(names) == 0 {
		return nil
	}
	path := ""
	if record != "" {
		path = filepath.Join(s.cfg.RecordDir, record)
	}
	mo, err := live.Start(context.WithoutCancel(ctx), s.cfg.Master, s.cfg.Module, names, live.Options{Event: event, Poll: 50 * time.Millisecond, Window: 10 * time.Second, Points: 10, RecordTo: path, Tool: "goxcp xcp ui"})
	if err != nil {
		return err
	}
	s.mon, s.names, s.record = mo, slices.Clone(names), record
	return nil
}

// safeFile accepts plain file names for recordings.
var safeFile = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.(xlog|mf4)$`)

// RecordRequest is the body of POST /api/record.
type RecordRequest struct {
	Action string `json:"action"` // start or stop
	File   string `json:"file,omitempty"`
}

func (s *Server) recordCtl(w http.ResponseWriter, r *http.Request) {
	var req RecordRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("bad request: %w", err))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req.Action {
	case "start":
		if !safeFile.MatchString(req.File) {
			fail(w, http.StatusBadRequest, fmt.Errorf("file %q: want a plain name ending in .xlog or .mf4", req.File))
			return
		}
		if len(s.names) == 0 {
			fail(w, http.StatusBadRequest, errors.New("watch some signals first: the recording holds the signals being watched"))
			return
		}
		if err := s.restartLocked(r.Context(), s.names, s.event, req.File); err != nil {
			fail(w, http.StatusUnprocessableEntity, err)
			return
		}
	case "stop":
		if s.record == "" {
			fail(w, http.StatusBadRequest, errors.New("not recording"))
			return
		}
		var st any
		if s.mon != nil {
			if rs, ok := s.mon.Recording(); ok {
				st = rs
			}
		}
		file := s.record
		if err := s.restartLocked(r.Context(), s.names, s.event, ""); err != nil {
			fail(w, http.StatusUnprocessableEntity, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"stopped": file, "stats": st})
		return
	default:
		fail(w, http.StatusBadRequest, fmt.Errorf("action %q: want start or stop", req.Action))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recording": s.record})
}

// Frame is one message of the live stream: per watched signal what arrived
// since the previous frame (decimated: count, extremes, last value).
type Frame struct {
	T      float64    `json:"t"` // s since the server started
	Names  []string   `json:"names"`
	Units  []string   `json:"units"`
	Texts  []string   `json:"texts"`
	N      []uint64   `json:"n"`
	Min    []*float64 `json:"min"`
	Max    []*float64 `json:"max"`
	Last   []*float64 `json:"last"`
	Rate   []float64  `json:"rate"`
	Frames uint64     `json:"frames"`
	Lost   uint64     `json:"lost"`
	Record *RecState  `json:"record,omitempty"`
	Error  string     `json:"error,omitempty"`
}

// RecState is the recording part of a Frame.
type RecState struct {
	File    string `json:"file"`
	Frames  uint64 `json:"frames"`
	Bytes   int64  `json:"bytes"`
	Dropped uint64 `json:"dropped"`
	Lost    uint64 `json:"lost"`
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// streamInterval is the frame rate of the live stream (20 per second),
// whatever the data rate.
const streamInterval = 50 * time.Millisecond

func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	// Host and Origin are checked in ServeHTTP; the library's own check
	// would accept only same-host origins as well.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())
	for {
		s.bmu.Lock()
		ready := s.ready
		s.bmu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-ready:
		}
		s.bmu.Lock()
		b := s.latest
		s.bmu.Unlock()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := c.Write(wctx, websocket.MessageText, b)
		cancel()
		if err != nil {
			return
		}
	}
}

// broadcast drains the live monitor every streamInterval into one frame
// that every stream client sends: several pages see the same data.
func (s *Server) broadcast(ctx context.Context) {
	defer close(s.bcastDone)
	t := time.NewTicker(streamInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b, err := json.Marshal(s.frame())
		if err != nil {
			s.log.Error("workbench: frame", "err", err)
			continue
		}
		s.bmu.Lock()
		s.latest = b
		close(s.ready)
		s.ready = make(chan struct{})
		s.bmu.Unlock()
	}
}

func (s *Server) frame() Frame {
	s.mu.Lock()
	mo, record := s.mon, s.record
	s.mu.Unlock()
	f := Frame{T: time.Since(s.start).Seconds()}
	if mo == nil {
		return f
	}
	snap := mo.Snapshot()
	win := mo.Drain()
	for i, v := range snap {
		f.Names = append(f.Names, v.Name)
		f.Units = append(f.Units, v.Unit)
		f.Texts = append(f.Texts, v.Text)
		f.Rate = append(f.Rate, math.Round(v.Rate*10)/10)
		wi := live.Window{Min: math.NaN(), Max: math.NaN(), Last: math.NaN()}
		if i < len(win) {
			wi = win[i]
		}
		f.N = append(f.N, wi.N)
		f.Min, f.Max, f.Last = append(f.Min, num(wi.Min)), append(f.Max, num(wi.Max)), append(f.Last, num(wi.Last))
	}
	if st, ok, perr := mo.Stats(); ok {
		f.Frames, f.Lost = st.Frames, st.Lost()
		if perr != nil {
			f.Error = perr.Error()
		}
	}
	if rs, ok := mo.Recording(); ok {
		f.Record = &RecState{File: record, Frames: rs.Frames, Bytes: rs.FileBytes, Dropped: rs.Dropped + rs.Unwritten, Lost: f.Lost}
	}
	return f
}
