#!/usr/bin/env node
import '../cli/dist/index.js';
