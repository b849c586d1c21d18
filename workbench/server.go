// Package workbench is the calibration workbench in the browser that
// `xcp ui` serves: an HTTP server (pages and assets embedded in the
// binary) over one connected ECU — the A2L browser, calibration of
// scalars, verbal values, curves and maps as tables of physical values
// (limit-checked, read back, compared with the reference page), live plots
// of measurements streamed over a WebSocket with decimation, and recording
// to a file with its loss counters.
//
// The page can write ECU memory, so every request must carry the session
// token (as a cookie set by opening the URL with ?token=…, or the
// X-XCP-Token header); the Host header must name the server itself (no DNS
// rebinding) and an Origin, when a browser sends one, must be the server's
// own (no cross-site requests). ReadOnly disables writes.
package workbench

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/live"
	"github.com/goxcp/goxcp/master"
)

//go:embed static
var static embed.FS

// Config configures a Server.
type Config struct {
	Master *master.Master
	Module *a2l.Module
	// Token authenticates requests; NewToken makes one.
	Token string
	// ReadOnly refuses every write to ECU memory.
	ReadOnly bool
	// RecordDir is where recordings started from the page are written
	// (file names only: the page cannot choose a directory).
	RecordDir string
	// Hosts are extra host names the server may be addressed by (for a
	// server bound to another address than loopback).
	Hosts  []string
	Logger *slog.Logger
}

// NewToken returns a random session token (128 bits, hex).
func NewToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("workbench: token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Server is the workbench's HTTP handler.
type Server struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	port   string
	start  time.Time
	mu     sync.Mutex // guards watch state
	mon    *live.Monitor
	names  []string
	event  string
	record string     // file being recorded, "" if none
	calMu  sync.Mutex // one calibration access (page switching) at a time
	closed bool

	// The live stream: one goroutine drains the monitor every
	// streamInterval and publishes the frame to every client.
	bmu       sync.Mutex
	latest    []byte
	ready     chan struct{} // closed when latest changes
	stopBcast context.CancelFunc
	bcastDone chan struct{}
}

// New returns a Server for cfg. Call SetAddr with the listener's address
// before serving, and Close when done.
func New(cfg Config) (*Server, error) {
	if cfg.Master == nil || cfg.Module == nil {
		return nil, errors.New("workbench: a connected master and an A2L module are needed")
	}
	if len(cfg.Token) < 16 {
		return nil, errors.New("workbench: a token of at least 16 characters is needed")
	}
	if cfg.RecordDir == "" {
		cfg.RecordDir = "."
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, mux: http.NewServeMux(), start: time.Now()}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(sub)))
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, sub, "index.html")
	})
	s.routes()
	s.ready = make(chan struct{})
	bctx, cancel := context.WithCancel(context.Background())
	s.stopBcast, s.bcastDone = cancel, make(chan struct{})
	go s.broadcast(bctx)
	return s, nil
}

// SetAddr tells the server the address it listens on (for the Host and
// Origin checks).
func (s *Server) SetAddr(addr net.Addr) {
	_, port, _ := net.SplitHostPort(addr.String())
	s.port = port
}

// hostOK reports whether host (a Host header or an Origin's host) names
// this server: loopback names or a configured host, with the server's port.
func (s *Server) hostOK(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil || port != s.port {
		return false
	}
	h = strings.Trim(h, "[]")
	switch h {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	for _, ok := range s.cfg.Hosts {
		if strings.EqualFold(h, strings.Trim(ok, "[]")) {
			return true
		}
	}
	return false
}

const cookieName = "xcp_token"

func (s *Server) tokenOK(t string) bool {
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.cfg.Token)) == 1
}

// ServeHTTP checks Host, Origin and token, then serves.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	if !s.hostOK(r.Host) {
		http.Error(w, "forbidden: unexpected Host header (open the address xcp ui printed)", http.StatusForbidden)
		return
	}
	origin := r.Header.Get("Origin")
	if origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Scheme != "http" || !s.hostOK(u.Host) {
			http.Error(w, "forbidden: cross-origin request", http.StatusForbidden)
			return
		}
	}
	if t := r.URL.Query().Get("token"); t != "" && r.URL.Path == "/" {
		if !s.tokenOK(t) {
			http.Error(w, "unauthorized: wrong token", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/", http.StatusSeeOther) // the token leaves the address bar
		return
	}
	header := r.Header.Get("X-XCP-Token")
	cookie := ""
	if c, err := r.Cookie(cookieName); err == nil {
		cookie = c.Value
	}
	if !s.tokenOK(header) && !s.tokenOK(cookie) {
		http.Error(w, "unauthorized: open the address with the token that xcp ui printed", http.StatusUnauthorized)
		return
	}
	// A state change by cookie must come from this page (browsers send
	// Origin on POST); scripts use the header.
	if r.Method != http.MethodGet && r.Method != http.MethodHead && origin == "" && !s.tokenOK(header) {
		http.Error(w, "forbidden: a request without Origin needs the X-XCP-Token header", http.StatusForbidden)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Close stops the live stream and a running live view or recording.
func (s *Server) Close(ctx context.Context) error {
	s.stopBcast()
	<-s.bcastDone
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.stopMonitorLocked(ctx)
}

func (s *Server) stopMonitorLocked(ctx context.Context) error {
	if s.mon == nil {
		return nil
	}
	err := s.mon.Stop(ctx)
	s.mon = nil
	s.record = ""
	return err
}
