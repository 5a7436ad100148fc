# GTKWave Tcl script of `make waves-check` (tools/waves.py check): run as
#   xvfb-run -a gtkwave -S tools/gtkw_check.tcl DUMP LAYOUT.gtkw
# after GTKWave loaded the dump and the layout, write to $GTKW_CHECK_OUT one
# line "S <full name>" per displayed signal, one line "T <flags> <label>"
# per visible trace (labels are short names; flag 0x2000 = translate filter
# on) and one line "F <full name>" per facility of the dump (the names
# GTKWave matches a layout's signals against), then quit.
set out [open $::env(GTKW_CHECK_OUT) w]
foreach sig [gtkwave::getDisplayedSignals] {
  puts $out "S $sig"
}
set n [gtkwave::getVisibleNumTraces]
for {set i 0} {$i < $n} {incr i} {
  puts $out "T [gtkwave::getTraceFlagsFromIndex $i] [gtkwave::getTraceNameFromIndex $i]"
}
set n [gtkwave::getNumFacs]
for {set i 0} {$i < $n} {incr i} {
  puts $out "F [gtkwave::getFacName $i]"
}
close $out
gtkwave::/File/Quit
