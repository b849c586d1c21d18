package workbench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/workbench"
)

// Serve the workbench on loopback over the built-in simulator and ask its
// API what the page shows: the slave and A2L (/api/info) and one
// calibration object with its physical value (/api/object). Every request
// carries the session token.
func Example() {
	ctx := context.Background()
	s, err := connect.Open(ctx, config.Default(), connect.Options{Simulator: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	f, err := connect.LoadA2L(ctx, "", s, "")
	if err != nil {
		log.Fatal(err)
	}
	token, err := workbench.NewToken()
	if err != nil {
		log.Fatal(err)
	}
	wb, err := workbench.New(workbench.Config{Master: s.Master, Module: f.Modules[0], Token: token})
	if err != nil {
		log.Fatal(err)
	}
	defer wb.Close(ctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	wb.SetAddr(ln.Addr())
	srv := &http.Server{Handler: wb}
	go srv.Serve(ln)
	defer srv.Shutdown(ctx)

	client := &http.Client{}
	defer client.CloseIdleConnections()
	get := func(path string, v any) int {
		req, err := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+path, nil)
		if err != nil {
			log.Fatal(err)
		}
		if v != nil { // the token; the request without it is refused
			req.Header.Set("X-XCP-Token", token)
		}
		resp, err := client.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		if v == nil {
			io.Copy(io.Discard, resp.Body)
			return resp.StatusCode
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			log.Fatal(err)
		}
		return resp.StatusCode
	}

	var info workbench.Info
	get("/api/info", &info)
	fmt.Println(info.Module, info.ByteOrder, "MAX_CTO", info.MaxCTO, "read-only", info.ReadOnly, "objects>0", info.Objects > 0)

	var d workbench.Detail
	get("/api/object?name=period_ms", &d)
	fmt.Println(d.Name, d.Kind, d.Unit, d.Address, d.Writable, d.Value.Strings())

	fmt.Println("without token:", get("/api/info", nil))
	// Output:
	// goxcp_sim Intel MAX_CTO 255 read-only false objects>0 true
	// period_ms VALUE ms 0x00020008 true [1000]
	// without token: 401
}
