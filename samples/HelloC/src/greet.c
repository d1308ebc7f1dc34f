#include <stdio.h>
#include "greet.h"

const char *greeting(const char *name)
{
    static char buffer[128];
    snprintf(buffer, sizeof buffer, "Hello, %s!", name);
    return buffer;
}
