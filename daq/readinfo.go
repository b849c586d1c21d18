package daq

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Exchanger sends one command and returns the positive response; it is
// implemented by *master.Master and by the Exchanger a master.Recovery
// receives.
type Exchanger = master.Exchanger

// InfoOptions select the optional parts of ReadInfo.
type InfoOptions struct {
	// Events reads GET_DAQ_EVENT_INFO for every event with its name.
	Events bool
	// Lists reads GET_DAQ_LIST_INFO for every list (predefined and static
	// configurations; dynamic slaves have no lists before ALLOC_DAQ).
	Lists bool
	// Override fills what the slave does not provide.
	Override *Override
}

// unsupported reports whether err means the slave lacks the command.
func unsupported(err error) bool {
	return errors.Is(err, xcp.ErrCmdUnknown) || errors.Is(err, xcp.ErrSubcmdUnknown)
}

// ReadInfo asks the slave for its DAQ processor, resolution and (as
// selected) events and lists. Commands the slave does not implement leave
// their part FromNone, or FromOverride if opts.Override has it; other
// errors are returned.
func ReadInfo(ctx context.Context, x Exchanger, f xcp.Format, opts InfoOptions) (*Info, error) {
	info := &Info{}
	p, err := x.Do(ctx, []byte{byte(xcp.CmdGetDaqProcessorInfo)})
	switch {
	case err == nil:
		if err := info.Processor.Decode(p, f); err != nil {
			return nil, fmt.Errorf("daq: %w", err)
		}
		info.ProcessorSource = FromSlave
	case !unsupported(err):
		return nil, fmt.Errorf("daq: GET_DAQ_PROCESSOR_INFO: %w", err)
	}
	p, err = x.Do(ctx, []byte{byte(xcp.CmdGetDaqResolutionInfo)})
	switch {
	case err == nil:
		if err := info.Resolution.Decode(p, f); err != nil {
			return nil, fmt.Errorf("daq: %w", err)
		}
		info.ResolutionSource = FromSlave
	case !unsupported(err):
		return nil, fmt.Errorf("daq: GET_DAQ_RESOLUTION_INFO: %w", err)
	}
	opts.Override.Apply(info, false)
	if opts.Events && info.ProcessorSource != FromNone {
		evs, err := readEvents(ctx, x, f, info.Processor.MaxEvent)
		switch {
		case err == nil:
			info.Events, info.EventsSource = evs, FromSlave
		case !unsupported(err):
			return nil, err
		}
		if info.EventsSource == FromNone {
			opts.Override.Apply(info, false)
		}
	}
	if opts.Lists && info.ProcessorSource != FromNone {
		for n := 0; n < int(info.Processor.MaxDaq); n++ {
			if info.Processor.Properties&xcp.DaqConfigDynamic != 0 && n >= int(info.Processor.MinDaq) {
				break // dynamic lists do not exist before ALLOC_DAQ
			}
			p, err := x.Do(ctx, xcp.GetDaqListInfo{List: uint16(n)}.Append(nil, f))
			if err != nil {
				if unsupported(err) || errors.Is(err, xcp.ErrOutOfRange) {
					break
				}
				return nil, fmt.Errorf("daq: GET_DAQ_LIST_INFO %d: %w", n, err)
			}
			li := ListInfo{Number: uint16(n)}
			if err := li.Decode(p, f); err != nil {
				return nil, fmt.Errorf("daq: %w", err)
			}
			info.Lists, info.ListsSource = append(info.Lists, li), FromSlave
		}
	}
	return info, nil
}

func readEvents(ctx context.Context, x Exchanger, f xcp.Format, n uint16) ([]EventInfo, error) {
	var evs []EventInfo
	for i := range n {
		p, err := x.Do(ctx, xcp.GetDaqEventInfo{Event: i}.Append(nil, f))
		if err != nil {
			return nil, fmt.Errorf("daq: GET_DAQ_EVENT_INFO %d: %w", i, err)
		}
		e := EventInfo{Number: i}
		if err := e.Decode(p, f); err != nil {
			return nil, fmt.Errorf("daq: event %d: %w", i, err)
		}
		name, err := upload(ctx, x, f, int(e.NameLength))
		if err != nil {
			return nil, fmt.Errorf("daq: event %d: reading the name: %w", i, err)
		}
		e.Name = string(name)
		evs = append(evs, e)
	}
	return evs, nil
}

// upload reads n bytes at the MTA with as many UPLOADs as needed.
func upload(ctx context.Context, x Exchanger, f xcp.Format, n int) ([]byte, error) {
	ag := f.AG.Size()
	var out []byte
	for len(out) < n {
		elems := min((n-len(out)+ag-1)/ag, f.MaxUploadElements())
		p, err := x.Do(ctx, xcp.Upload{N: uint8(elems)}.Append(nil, f))
		if err != nil {
			return nil, fmt.Errorf("UPLOAD: %w", err)
		}
		var r xcp.UploadResponse
		if err := r.Decode(p, f); err != nil {
			return nil, err
		}
		if len(r.Data) < elems*ag {
			return nil, fmt.Errorf("UPLOAD: %d bytes, want %d: %w", len(r.Data), elems*ag, xcp.ErrMalformed)
		}
		out = append(out, r.Data[:elems*ag]...)
	}
	return out[:n], nil
}

// EventByName returns the number of the event named name.
func (info *Info) EventByName(name string) (uint16, bool) {
	for _, e := range info.Events {
		if e.Name == name {
			return e.Number, true
		}
	}
	return 0, false
}
