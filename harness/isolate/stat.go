package isolate

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// parseStatCPU reads utime and stime (fields 14 and 15, in clock ticks)
// from the contents of /proc/PID/stat. The command name, field 2, is in
// parentheses and may hold spaces and parentheses itself, so fields are
// counted from the last ')'.
func parseStatCPU(stat []byte, hz int64) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("isolate: malformed stat %q", stat)
	}
	fields := bytes.Fields(stat[i+1:])
	// fields[0] is field 3 (state); utime is field 14, stime field 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("isolate: short stat %q", stat)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("isolate: malformed stat field %q", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / time.Duration(hz), nil
}
