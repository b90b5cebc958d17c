import type { AdapterDescriptor } from '@asof/core';
import type { AdapterSettings } from '../../settings/adapter-settings.js';
import { describeConnection } from '../../settings/store-settings.js';
import { parseS3Url, s3Location } from './s3-url.js';

/** S3 and S3-compatible servers (`s3://bucket/prefix`) as object roots; the AWS client loads when one is opened. */
export const s3Adapter: AdapterDescriptor<AdapterSettings> = {
  name: 's3',
  schemes: ['s3'],
  kinds: {
    objects: {
      forms: ['s3://bucket/prefix'],
      async open(url, settings) {
        const { bucket, prefix } = parseS3Url(url);
        const { S3ObjectStore } = await import('./s3-object-store.js');
        // An endpoint that may ignore If-None-Match is probed before the first commit.
        return { objects: new S3ObjectStore({ ...settings.s3, bucket, prefix }), location: s3Location(bucket, prefix), putIfAbsent: 'probe', directory: null };
      },
    },
  },
  describeConnection: (settings) => ({ s3: describeConnection(settings.s3 ?? {}) }),
};
