# Build only the verilated model archive and the Verilator runtime objects;
# run inside the -Mdir folder with VM_PREFIX set. Our own rules compile the
# C11 and C++ sources and link (Verilator's --exe flow would compile C as C++).
include $(VM_PREFIX).mk

lib: $(VM_PREFIX)__ALL.a $(VK_GLOBAL_OBJS)
.DEFAULT_GOAL := lib
