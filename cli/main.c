#include "dval.h"
#include <stdio.h>
int main(void) { printf("dval %s\n", dv_version_string()); return 0; }
