package xcp

import "fmt"

// Calibration commands (CAL group) and the block-data layout they share
// with the programming commands PROGRAM and PROGRAM_NEXT.

// blockHeader is the size of the header of DOWNLOAD, DOWNLOAD_NEXT,
// PROGRAM and PROGRAM_NEXT: command and element count, padded to the
// address granularity (2 bytes for BYTE and WORD, 4 for DWORD).
func (f Format) blockHeader() int { return max(2, f.AG.Size()) }

// appendBlock encodes command, element count, alignment and data.
func appendBlock(b []byte, cmd Command, n uint8, data []byte, f Format) []byte {
	b = append(b, byte(cmd), n)
	for i := 2; i < f.blockHeader(); i++ {
		b = append(b, 0)
	}
	return append(b, data...)
}

// decodeBlock decodes a block-data packet. If n elements fit one packet
// of MAX_CTO the packet must carry all of them; otherwise (master block
// mode) it must be full.
func decodeBlock(what string, p []byte, cmd Command, f Format) (uint8, []byte, error) {
	hdr := f.blockHeader()
	if err := checkPacket(what, p, byte(cmd), 2); err != nil {
		return 0, nil, err
	}
	n := p[1]
	elems := min(int(n), f.MaxDownloadElements())
	need := hdr + elems*f.AG.Size()
	if len(p) < need {
		return 0, nil, &FormatError{What: fmt.Sprintf("%s of %d elements", what, n), Need: need, Got: len(p)}
	}
	return n, p[hdr:need], nil
}

// validateBlock checks a block-data packet before encoding: whole elements,
// at most one packet's worth, consistent with the announced count n.
func validateBlock(what string, n uint8, data []byte, f Format, allowEmpty bool) error {
	ag := f.AG.Size()
	if len(data)%ag != 0 {
		return fmt.Errorf("xcp: %s: %d data bytes are not a multiple of the address granularity %s", what, len(data), f.AG)
	}
	elems := len(data) / ag
	switch maxe := f.MaxDownloadElements(); {
	case elems == 0 && !allowEmpty:
		return fmt.Errorf("xcp: %s: no data", what)
	case elems > maxe:
		return fmt.Errorf("xcp: %s: %d elements exceed the %d one packet of MAX_CTO %d carries", what, elems, maxe, f.CTO())
	case elems > int(n):
		return fmt.Errorf("xcp: %s: %d elements but the count says %d", what, elems, n)
	case elems < int(n) && elems != maxe:
		return fmt.Errorf("xcp: %s: count %d needs block mode, but the packet carries %d of a possible %d elements", what, n, elems, maxe)
	}
	return nil
}

// Download is the DOWNLOAD command: write Data at the MTA. N is the number
// of elements of the whole transfer; in master block mode it exceeds what
// this packet carries and DOWNLOAD_NEXT packets follow. Use NewDownload for
// the common single-packet case. Its response is an OKResponse.
type Download struct {
	N    uint8
	Data []byte
}

// NewDownload returns a DOWNLOAD that carries all of data in one packet.
func NewDownload(data []byte, f Format) Download {
	return Download{N: uint8(len(data) / f.AG.Size()), Data: data}
}

// Append encodes the command (call Validate first: Append encodes what it is
// given).
func (c Download) Append(b []byte, f Format) []byte {
	return appendBlock(b, CmdDownload, c.N, c.Data, f)
}

// Decode decodes the command; Data aliases p.
func (c *Download) Decode(p []byte, f Format) (err error) {
	c.N, c.Data, err = decodeBlock("DOWNLOAD", p, CmdDownload, f)
	return err
}

// Validate checks the command against the format.
func (c Download) Validate(f Format) error { return validateBlock("DOWNLOAD", c.N, c.Data, f, false) }

// DownloadNext is the DOWNLOAD_NEXT command of master block mode: N is the
// number of elements still to transfer including this packet's.
type DownloadNext struct {
	N    uint8
	Data []byte
}

// Append encodes the command.
func (c DownloadNext) Append(b []byte, f Format) []byte {
	return appendBlock(b, CmdDownloadNext, c.N, c.Data, f)
}

// Decode decodes the command; Data aliases p.
func (c *DownloadNext) Decode(p []byte, f Format) (err error) {
	c.N, c.Data, err = decodeBlock("DOWNLOAD_NEXT", p, CmdDownloadNext, f)
	return err
}

// Validate checks the command against the format.
func (c DownloadNext) Validate(f Format) error {
	return validateBlock("DOWNLOAD_NEXT", c.N, c.Data, f, false)
}

// appendMax encodes DOWNLOAD_MAX / PROGRAM_MAX: command, AG-1 alignment
// bytes, then exactly MaxUploadElements elements.
func appendMax(b []byte, cmd Command, data []byte, f Format) []byte {
	b = append(b, byte(cmd))
	for range f.Align() {
		b = append(b, 0)
	}
	return append(b, data...)
}

func decodeMax(what string, p []byte, cmd Command, f Format) ([]byte, error) {
	n := f.MaxUploadElements() * f.AG.Size()
	if err := checkPacket(what, p, byte(cmd), f.AG.Size()+n); err != nil {
		return nil, err
	}
	return p[f.AG.Size() : f.AG.Size()+n], nil
}

func validateMax(what string, data []byte, f Format) error {
	if n := f.MaxUploadElements() * f.AG.Size(); len(data) != n {
		return fmt.Errorf("xcp: %s must carry exactly %d bytes with MAX_CTO %d and AG %s, not %d", what, n, f.CTO(), f.AG, len(data))
	}
	return nil
}

// DownloadMax is the DOWNLOAD_MAX command: write exactly
// Format.MaxUploadElements elements (one full packet) at the MTA.
type DownloadMax struct {
	Data []byte
}

// Append encodes the command.
func (c DownloadMax) Append(b []byte, f Format) []byte {
	return appendMax(b, CmdDownloadMax, c.Data, f)
}

// Decode decodes the command; Data aliases p.
func (c *DownloadMax) Decode(p []byte, f Format) (err error) {
	c.Data, err = decodeMax("DOWNLOAD_MAX", p, CmdDownloadMax, f)
	return err
}

// Validate checks the command against the format.
func (c DownloadMax) Validate(f Format) error { return validateMax("DOWNLOAD_MAX", c.Data, f) }

// ShortDownload is the SHORT_DOWNLOAD command: write Data at Addr/Ext in
// one packet (at most (MAX_CTO-8)/AG elements).
type ShortDownload struct {
	Ext  uint8
	Addr uint32
	Data []byte
}

// Append encodes the command; the element count is len(Data)/AG.
func (c ShortDownload) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdShortDownload), uint8(len(c.Data)/f.AG.Size()), 0, c.Ext)
	b = f.Order.AppendUint32(b, c.Addr)
	return append(b, c.Data...)
}

// Decode decodes the command; Data aliases p.
func (c *ShortDownload) Decode(p []byte, f Format) error {
	if err := checkPacket("SHORT_DOWNLOAD", p, byte(CmdShortDownload), 8); err != nil {
		return err
	}
	n := int(p[1]) * f.AG.Size()
	if len(p) < 8+n {
		return &FormatError{What: fmt.Sprintf("SHORT_DOWNLOAD of %d elements", p[1]), Need: 8 + n, Got: len(p)}
	}
	c.Ext, c.Addr, c.Data = p[3], f.Order.Uint32(p[4:]), p[8:8+n]
	return nil
}

// MaxShortDownload returns the number of elements one SHORT_DOWNLOAD
// carries: (MAX_CTO-8)/AG.
func (f Format) MaxShortDownload() int { return (f.CTO() - 8) / f.AG.Size() }

// Validate checks the command against the format.
func (c ShortDownload) Validate(f Format) error {
	ag := f.AG.Size()
	switch {
	case len(c.Data) == 0:
		return fmt.Errorf("xcp: SHORT_DOWNLOAD: no data")
	case len(c.Data)%ag != 0:
		return fmt.Errorf("xcp: SHORT_DOWNLOAD: %d data bytes are not a multiple of the address granularity %s", len(c.Data), f.AG)
	case len(c.Data)/ag > f.MaxShortDownload():
		return fmt.Errorf("xcp: SHORT_DOWNLOAD: %d elements exceed the %d one packet of MAX_CTO %d carries", len(c.Data)/ag, f.MaxShortDownload(), f.CTO())
	}
	return nil
}

// ModifyBits is the MODIFY_BITS command: the 32-bit value X at the MTA
// becomes ((X) & ~(~AndMask << Shift)) ^ (XorMask << Shift).
type ModifyBits struct {
	Shift   uint8
	AndMask uint16
	XorMask uint16
}

// Apply returns x modified as the slave does.
func (c ModifyBits) Apply(x uint32) uint32 {
	if c.Shift >= 32 {
		return x
	}
	return (x & ^(uint32(^c.AndMask) << c.Shift)) ^ (uint32(c.XorMask) << c.Shift)
}

// Append encodes the command.
func (c ModifyBits) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdModifyBits), c.Shift)
	b = f.Order.AppendUint16(b, c.AndMask)
	return f.Order.AppendUint16(b, c.XorMask)
}

// Decode decodes the command.
func (c *ModifyBits) Decode(p []byte, f Format) error {
	if err := checkPacket("MODIFY_BITS", p, byte(CmdModifyBits), 6); err != nil {
		return err
	}
	c.Shift, c.AndMask, c.XorMask = p[1], f.Order.Uint16(p[2:]), f.Order.Uint16(p[4:])
	return nil
}
