SELECT
  `t5`.`session_source`,
  `t5`.`session_medium`,
  `t5`.`session_campaign`,
  `t5`.`referrer`,
  `t5`.`landing_page`,
  `t5`.`event_date`,
  `t5`.`device_category`,
  COUNT(*) AS `sessions`
FROM (
  SELECT
    CASE
      WHEN (
        `t4`.`last_source` IS NOT NULL
      ) OR (
        `t4`.`last_medium` IS NOT NULL
      )
      THEN `t4`.`last_source`
      WHEN (
        `t4`.`tag_source` IS NOT NULL
      ) OR (
        `t4`.`tag_medium` IS NOT NULL
      )
      THEN `t4`.`tag_source`
      ELSE CAST(NULL AS STRING)
    END AS `session_source`,
    CASE
      WHEN (
        `t4`.`last_source` IS NOT NULL
      ) OR (
        `t4`.`last_medium` IS NOT NULL
      )
      THEN `t4`.`last_medium`
      WHEN (
        `t4`.`tag_source` IS NOT NULL
      ) OR (
        `t4`.`tag_medium` IS NOT NULL
      )
      THEN `t4`.`tag_medium`
      ELSE CAST(NULL AS STRING)
    END AS `session_medium`,
    CASE
      WHEN (
        `t4`.`last_source` IS NOT NULL
      ) OR (
        `t4`.`last_medium` IS NOT NULL
      )
      THEN `t4`.`last_campaign`
      WHEN (
        `t4`.`tag_source` IS NOT NULL
      ) OR (
        `t4`.`tag_medium` IS NOT NULL
      )
      THEN `t4`.`tag_campaign`
      ELSE CAST(NULL AS STRING)
    END AS `session_campaign`,
    IF(
      (
        `t4`.`last_source` IS NOT NULL
      )
      OR (
        `t4`.`last_medium` IS NOT NULL
      )
      OR (
        (
          `t4`.`tag_source` IS NOT NULL
        ) OR (
          `t4`.`tag_medium` IS NOT NULL
        )
      ),
      CAST(NULL AS STRING),
      CASE
        WHEN REGEXP_CONTAINS(LOWER(REGEXP_REPLACE(`t4`.`referrer`, '^\\s+|\\s+$', '')), '^android-app://')
        THEN CONCAT(
          'android-app://',
          REGEXP_REPLACE(
            REGEXP_REPLACE(LOWER(REGEXP_REPLACE(`t4`.`referrer`, '^\\s+|\\s+$', '')), '^android-app://', ''),
            '[/?#].*$',
            ''
          )
        )
        WHEN IF(
          REGEXP_REPLACE(
            REGEXP_REPLACE(
              REGEXP_REPLACE(
                REGEXP_REPLACE(
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      LOWER(REGEXP_REPLACE(`t4`.`referrer`, '^\\s+|\\s+$', '')),
                      '^[a-z][a-z0-9+.\\-]*://',
                      ''
                    ),
                    '[/?#].*$',
                    ''
                  ),
                  '^.*@',
                  ''
                ),
                ':.*$',
                ''
              ),
              '^\\.+|\\.+$',
              ''
            ),
            '^www\\.',
            ''
          ) = '',
          CAST(NULL AS STRING),
          REGEXP_REPLACE(
            REGEXP_REPLACE(
              REGEXP_REPLACE(
                REGEXP_REPLACE(
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      LOWER(REGEXP_REPLACE(`t4`.`referrer`, '^\\s+|\\s+$', '')),
                      '^[a-z][a-z0-9+.\\-]*://',
                      ''
                    ),
                    '[/?#].*$',
                    ''
                  ),
                  '^.*@',
                  ''
                ),
                ':.*$',
                ''
              ),
              '^\\.+|\\.+$',
              ''
            ),
            '^www\\.',
            ''
          )
        ) IS NOT NULL
        THEN CONCAT(
          CONCAT(
            'https://',
            IF(
              REGEXP_REPLACE(
                REGEXP_REPLACE(
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          LOWER(REGEXP_REPLACE(`t4`.`referrer`, '^\\s+|\\s+$', '')),
                          '^[a-z][a-z0-9+.\\-]*://',
                          ''
                        ),
                        '[/?#].*$',
                        ''
                      ),
                      '^.*@',
                      ''
                    ),
                    ':.*$',
                    ''
                  ),
                  '^\\.+|\\.+$',
                  ''
                ),
                '^www\\.',
                ''
              ) = '',
              CAST(NULL AS STRING),
              REGEXP_REPLACE(
                REGEXP_REPLACE(
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          LOWER(REGEXP_REPLACE(`t4`.`referrer`, '^\\s+|\\s+$', '')),
                          '^[a-z][a-z0-9+.\\-]*://',
                          ''
                        ),
                        '[/?#].*$',
                        ''
                      ),
                      '^.*@',
                      ''
                    ),
                    ':.*$',
                    ''
                  ),
                  '^\\.+|\\.+$',
                  ''
                ),
                '^www\\.',
                ''
              )
            )
          ),
          '/'
        )
        ELSE CAST(NULL AS STRING)
      END
    ) AS `referrer`,
    IF(
      (
        `t4`.`last_source` IS NOT NULL
      )
      OR (
        `t4`.`last_medium` IS NOT NULL
      )
      OR (
        (
          `t4`.`tag_source` IS NOT NULL
        ) OR (
          `t4`.`tag_medium` IS NOT NULL
        )
      ),
      CAST(NULL AS STRING),
      IF(
        `t4`.`location` IS NULL,
        CAST(NULL AS STRING),
        CONCAT(
          CONCAT(
            CONCAT(
              'https://',
              COALESCE(
                IF(
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          REGEXP_REPLACE(
                            REGEXP_REPLACE(
                              LOWER(REGEXP_REPLACE(`t4`.`location`, '^\\s+|\\s+$', '')),
                              '^[a-z][a-z0-9+.\\-]*://',
                              ''
                            ),
                            '[/?#].*$',
                            ''
                          ),
                          '^.*@',
                          ''
                        ),
                        ':.*$',
                        ''
                      ),
                      '^\\.+|\\.+$',
                      ''
                    ),
                    '^www\\.',
                    ''
                  ) = '',
                  CAST(NULL AS STRING),
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          REGEXP_REPLACE(
                            REGEXP_REPLACE(
                              LOWER(REGEXP_REPLACE(`t4`.`location`, '^\\s+|\\s+$', '')),
                              '^[a-z][a-z0-9+.\\-]*://',
                              ''
                            ),
                            '[/?#].*$',
                            ''
                          ),
                          '^.*@',
                          ''
                        ),
                        ':.*$',
                        ''
                      ),
                      '^\\.+|\\.+$',
                      ''
                    ),
                    '^www\\.',
                    ''
                  )
                ),
                ''
              )
            ),
            '/'
          ),
          IF(
            CONCAT(
              CONCAT(
                CONCAT(
                  CONCAT(
                    IF(
                      REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_source='),
                      CONCAT(
                        '&utm_source=',
                        IF(
                          REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_source=([^&#]*)'),
                          IF(
                            1 = 0,
                            REGEXP_REPLACE(
                              `t4`.`location`,
                              CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_source=([^&#]*)', ')'), '.*'),
                              '\\1'
                            ),
                            REGEXP_REPLACE(
                              `t4`.`location`,
                              CONCAT('.*?', '(?i)[?&]utm_source=([^&#]*)', '.*'),
                              CONCAT('\\', CAST(1 AS STRING))
                            )
                          ),
                          NULL
                        )
                      ),
                      ''
                    ),
                    IF(
                      REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_medium='),
                      CONCAT(
                        '&utm_medium=',
                        IF(
                          REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_medium=([^&#]*)'),
                          IF(
                            1 = 0,
                            REGEXP_REPLACE(
                              `t4`.`location`,
                              CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_medium=([^&#]*)', ')'), '.*'),
                              '\\1'
                            ),
                            REGEXP_REPLACE(
                              `t4`.`location`,
                              CONCAT('.*?', '(?i)[?&]utm_medium=([^&#]*)', '.*'),
                              CONCAT('\\', CAST(1 AS STRING))
                            )
                          ),
                          NULL
                        )
                      ),
                      ''
                    )
                  ),
                  IF(
                    REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_campaign='),
                    CONCAT(
                      '&utm_campaign=',
                      IF(
                        REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_campaign=([^&#]*)'),
                        IF(
                          1 = 0,
                          REGEXP_REPLACE(
                            `t4`.`location`,
                            CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_campaign=([^&#]*)', ')'), '.*'),
                            '\\1'
                          ),
                          REGEXP_REPLACE(
                            `t4`.`location`,
                            CONCAT('.*?', '(?i)[?&]utm_campaign=([^&#]*)', '.*'),
                            CONCAT('\\', CAST(1 AS STRING))
                          )
                        ),
                        NULL
                      )
                    ),
                    ''
                  )
                ),
                IF(
                  REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&](?:gclid|wbraid|gbraid)=')
                  OR `t4`.`google_click`,
                  '&gclid=',
                  ''
                )
              ),
              IF(REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]msclkid='), '&msclkid=', '')
            ) = '',
            '',
            CONCAT(
              '?',
              SUBSTRING(
                CONCAT(
                  CONCAT(
                    CONCAT(
                      CONCAT(
                        IF(
                          REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_source='),
                          CONCAT(
                            '&utm_source=',
                            IF(
                              REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_source=([^&#]*)'),
                              IF(
                                1 = 0,
                                REGEXP_REPLACE(
                                  `t4`.`location`,
                                  CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_source=([^&#]*)', ')'), '.*'),
                                  '\\1'
                                ),
                                REGEXP_REPLACE(
                                  `t4`.`location`,
                                  CONCAT('.*?', '(?i)[?&]utm_source=([^&#]*)', '.*'),
                                  CONCAT('\\', CAST(1 AS STRING))
                                )
                              ),
                              NULL
                            )
                          ),
                          ''
                        ),
                        IF(
                          REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_medium='),
                          CONCAT(
                            '&utm_medium=',
                            IF(
                              REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_medium=([^&#]*)'),
                              IF(
                                1 = 0,
                                REGEXP_REPLACE(
                                  `t4`.`location`,
                                  CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_medium=([^&#]*)', ')'), '.*'),
                                  '\\1'
                                ),
                                REGEXP_REPLACE(
                                  `t4`.`location`,
                                  CONCAT('.*?', '(?i)[?&]utm_medium=([^&#]*)', '.*'),
                                  CONCAT('\\', CAST(1 AS STRING))
                                )
                              ),
                              NULL
                            )
                          ),
                          ''
                        )
                      ),
                      IF(
                        REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_campaign='),
                        CONCAT(
                          '&utm_campaign=',
                          IF(
                            REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_campaign=([^&#]*)'),
                            IF(
                              1 = 0,
                              REGEXP_REPLACE(
                                `t4`.`location`,
                                CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_campaign=([^&#]*)', ')'), '.*'),
                                '\\1'
                              ),
                              REGEXP_REPLACE(
                                `t4`.`location`,
                                CONCAT('.*?', '(?i)[?&]utm_campaign=([^&#]*)', '.*'),
                                CONCAT('\\', CAST(1 AS STRING))
                              )
                            ),
                            NULL
                          )
                        ),
                        ''
                      )
                    ),
                    IF(
                      REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&](?:gclid|wbraid|gbraid)=')
                      OR `t4`.`google_click`,
                      '&gclid=',
                      ''
                    )
                  ),
                  IF(REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]msclkid='), '&msclkid=', '')
                ),
                IF(
                  (
                    1 + 1
                  ) >= 1,
                  1 + 1,
                  1 + 1 + LENGTH(
                    CONCAT(
                      CONCAT(
                        CONCAT(
                          CONCAT(
                            IF(
                              REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_source='),
                              CONCAT(
                                '&utm_source=',
                                IF(
                                  REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_source=([^&#]*)'),
                                  IF(
                                    1 = 0,
                                    REGEXP_REPLACE(
                                      `t4`.`location`,
                                      CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_source=([^&#]*)', ')'), '.*'),
                                      '\\1'
                                    ),
                                    REGEXP_REPLACE(
                                      `t4`.`location`,
                                      CONCAT('.*?', '(?i)[?&]utm_source=([^&#]*)', '.*'),
                                      CONCAT('\\', CAST(1 AS STRING))
                                    )
                                  ),
                                  NULL
                                )
                              ),
                              ''
                            ),
                            IF(
                              REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_medium='),
                              CONCAT(
                                '&utm_medium=',
                                IF(
                                  REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_medium=([^&#]*)'),
                                  IF(
                                    1 = 0,
                                    REGEXP_REPLACE(
                                      `t4`.`location`,
                                      CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_medium=([^&#]*)', ')'), '.*'),
                                      '\\1'
                                    ),
                                    REGEXP_REPLACE(
                                      `t4`.`location`,
                                      CONCAT('.*?', '(?i)[?&]utm_medium=([^&#]*)', '.*'),
                                      CONCAT('\\', CAST(1 AS STRING))
                                    )
                                  ),
                                  NULL
                                )
                              ),
                              ''
                            )
                          ),
                          IF(
                            REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_campaign='),
                            CONCAT(
                              '&utm_campaign=',
                              IF(
                                REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]utm_campaign=([^&#]*)'),
                                IF(
                                  1 = 0,
                                  REGEXP_REPLACE(
                                    `t4`.`location`,
                                    CONCAT('.*?', CONCAT('(', '(?i)[?&]utm_campaign=([^&#]*)', ')'), '.*'),
                                    '\\1'
                                  ),
                                  REGEXP_REPLACE(
                                    `t4`.`location`,
                                    CONCAT('.*?', '(?i)[?&]utm_campaign=([^&#]*)', '.*'),
                                    CONCAT('\\', CAST(1 AS STRING))
                                  )
                                ),
                                NULL
                              )
                            ),
                            ''
                          )
                        ),
                        IF(
                          REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&](?:gclid|wbraid|gbraid)=')
                          OR `t4`.`google_click`,
                          '&gclid=',
                          ''
                        )
                      ),
                      IF(REGEXP_CONTAINS(`t4`.`location`, '(?i)[?&]msclkid='), '&msclkid=', '')
                    )
                  )
                )
              )
            )
          )
        )
      )
    ) AS `landing_page`,
    `t4`.`event_date`,
    `t4`.`device_category`
  FROM (
    SELECT
      `t3`.`user`,
      `t3`.`session`,
      MIN(`t3`.`event_date`) AS `event_date`,
      MIN(`t3`.`device_category`) AS `device_category`,
      MIN(`t3`.`location`) AS `location`,
      MIN(`t3`.`referrer`) AS `referrer`,
      MIN(`t3`.`last_source`) AS `last_source`,
      MIN(`t3`.`last_medium`) AS `last_medium`,
      MIN(`t3`.`last_campaign`) AS `last_campaign`,
      MIN(`t3`.`tag_source`) AS `tag_source`,
      MIN(`t3`.`tag_medium`) AS `tag_medium`,
      MIN(`t3`.`tag_campaign`) AS `tag_campaign`,
      LOGICAL_OR(`t3`.`gclid` IS NOT NULL) AS `google_click`
    FROM (
      SELECT
        *
      FROM (
        SELECT
          `t1`.`user`,
          `t1`.`session`,
          `t1`.`timestamp`,
          `t1`.`event_date`,
          `t1`.`device_category`,
          `t1`.`location`,
          `t1`.`referrer`,
          `t1`.`last_source`,
          `t1`.`last_medium`,
          `t1`.`last_campaign`,
          `t1`.`tag_source`,
          `t1`.`tag_medium`,
          `t1`.`tag_campaign`,
          `t1`.`gclid`,
          MIN(`t1`.`timestamp`) OVER (
            PARTITION BY `t1`.`user`, `t1`.`session`
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          ) AS `first`
        FROM (
          SELECT
            `t0`.`user_pseudo_id` AS `user`,
            ARRAY(
              SELECT
                __ibis_param_p__.`value`.`int_value`
              FROM UNNEST(ARRAY(
                SELECT
                  __ibis_param_p__
                FROM UNNEST(`t0`.`event_params`) AS __ibis_param_p__
                WHERE
                  __ibis_param_p__.`key` = 'ga_session_id'
              )) AS __ibis_param_p__
            )[safe_offset(0)] AS `session`,
            `t0`.`event_timestamp` AS `timestamp`,
            `t0`.`event_date`,
            `t0`.`device`.`category` AS `device_category`,
            ARRAY(
              SELECT
                __ibis_param_p__.`value`.`string_value`
              FROM UNNEST(ARRAY(
                SELECT
                  __ibis_param_p__
                FROM UNNEST(`t0`.`event_params`) AS __ibis_param_p__
                WHERE
                  __ibis_param_p__.`key` = 'page_location'
              )) AS __ibis_param_p__
            )[safe_offset(0)] AS `location`,
            ARRAY(
              SELECT
                __ibis_param_p__.`value`.`string_value`
              FROM UNNEST(ARRAY(
                SELECT
                  __ibis_param_p__
                FROM UNNEST(`t0`.`event_params`) AS __ibis_param_p__
                WHERE
                  __ibis_param_p__.`key` = 'page_referrer'
              )) AS __ibis_param_p__
            )[safe_offset(0)] AS `referrer`,
            IF(
              (
                (
                  `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`source`
                ) IS NOT NULL
              )
              OR (
                (
                  `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`medium`
                ) IS NOT NULL
              ),
              `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`source`,
              `t0`.`session_traffic_source_last_click`.`manual_campaign`.`source`
            ) AS `last_source`,
            IF(
              (
                (
                  `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`source`
                ) IS NOT NULL
              )
              OR (
                (
                  `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`medium`
                ) IS NOT NULL
              ),
              `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`medium`,
              `t0`.`session_traffic_source_last_click`.`manual_campaign`.`medium`
            ) AS `last_medium`,
            IF(
              (
                (
                  `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`source`
                ) IS NOT NULL
              )
              OR (
                (
                  `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`medium`
                ) IS NOT NULL
              ),
              `t0`.`session_traffic_source_last_click`.`cross_channel_campaign`.`campaign_name`,
              `t0`.`session_traffic_source_last_click`.`manual_campaign`.`campaign_name`
            ) AS `last_campaign`,
            `t0`.`collected_traffic_source`.`manual_source` AS `tag_source`,
            `t0`.`collected_traffic_source`.`manual_medium` AS `tag_medium`,
            `t0`.`collected_traffic_source`.`manual_campaign_name` AS `tag_campaign`,
            `t0`.`collected_traffic_source`.`gclid` AS `gclid`
          FROM `my-project`.`analytics_123456789`.`events_*` AS `t0`
          WHERE
            `t0`.`_TABLE_SUFFIX` BETWEEN '20240710' AND '20240715'
            AND `t0`.`event_date` >= '20240710'
            AND `t0`.`event_date` <= '20240715'
            AND `t0`.`user_pseudo_id` IS NOT NULL
            AND ARRAY(
              SELECT
                __ibis_param_p__.`value`.`int_value`
              FROM UNNEST(ARRAY(
                SELECT
                  __ibis_param_p__
                FROM UNNEST(`t0`.`event_params`) AS __ibis_param_p__
                WHERE
                  __ibis_param_p__.`key` = 'ga_session_id'
              )) AS __ibis_param_p__
            )[safe_offset(0)] IS NOT NULL
        ) AS `t1`
      ) AS `t2`
      WHERE
        `t2`.`timestamp` = `t2`.`first`
    ) AS `t3`
    GROUP BY
      1,
      2
  ) AS `t4`
  WHERE
    `t4`.`event_date` >= '20240711'
) AS `t5`
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6,
  7
