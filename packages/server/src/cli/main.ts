#!/usr/bin/env node
console.log('tradewatch: work in progress');
