#ifndef RENKEI_MALLOC_COUNTER_H
#define RENKEI_MALLOC_COUNTER_H

/// Heap allocations (malloc, calloc, realloc, aligned allocations) made by any thread since the process started.
long renkei_allocation_count(void);

#endif
