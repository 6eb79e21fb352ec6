import { describeDrafterConformance } from '@decodekit/testing';
import { __FACTORY__ } from '../src/index.js';

describeDrafterConformance('__NAME__', () => __FACTORY__());
