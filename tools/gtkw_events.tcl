# GTKWave Tcl script of tools/waves.py (markers): run as
#   xvfb-run -a gtkwave -S tools/gtkw_events.tcl DUMP
# write to $GTKW_EVENTS_OUT the dump's time range and unit ("R <min> <max>
# <unit letter>"), then
# for each full signal name in $GTKW_EVENTS one line "C <name> <time> <value>
# <time> <value> ..." with every change GTKWave reads for it, and for the
# clock in $GTKW_CLOCK its first four changes; then quit.
set out [open $::env(GTKW_EVENTS_OUT) w]
puts $out "R [gtkwave::getMinTime] [gtkwave::getMaxTime] [gtkwave::getTimeDimension]"
foreach sig $::env(GTKW_EVENTS) {
  puts $out "C $sig [gtkwave::signalChangeList $sig]"
}
puts $out "C $::env(GTKW_CLOCK) [gtkwave::signalChangeList $::env(GTKW_CLOCK) -max 4]"
close $out
gtkwave::/File/Quit
