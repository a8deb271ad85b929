import { Command } from 'commander';
console.log(typeof Command);
